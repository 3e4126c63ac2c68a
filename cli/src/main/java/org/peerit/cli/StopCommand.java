package org.peerit.cli;

import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code peerit stop N}: stops daemon N cleanly (it saves its state and tells the tracker). */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops daemon INDEX cleanly.")
final class StopCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INDEX")
    int index;

    @Override
    public Integer call() throws Exception {
        try (ControlClient client = ControlClient.connect(index)) {
            client.send(new ControlRequest.Stop());
            client.expect(ControlEvent.Stopping.class);
        }
        System.err.println("daemon " + index + " is stopping");
        return 0;
    }
}
