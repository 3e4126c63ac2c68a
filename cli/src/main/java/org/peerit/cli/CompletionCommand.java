package org.peerit.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code peerit completion bash|zsh}: the shell completion script for every command and option, from the same model
 * the commands are parsed with (picocli's AutoComplete), so it never falls behind them.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints the shell completion script for SHELL (bash or zsh).",
                "bash: source <(peerit completion bash), or save it in ~/.local/share/bash-completion/completions/peerit",
                "zsh: source <(peerit completion zsh) in ~/.zshrc"})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("peerit", Peerit.commandLine());
        if (shell == Shell.zsh) {
            // picocli's script serves zsh through zsh's bash-completion layer.
            System.out.println("autoload -U +X compinit && compinit");
            System.out.println("autoload -U +X bashcompinit && bashcompinit");
        }
        System.out.print(script);
        return 0;
    }
}
