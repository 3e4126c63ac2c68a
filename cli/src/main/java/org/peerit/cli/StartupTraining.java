package org.peerit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.daemon.control.ControlEvent;
import org.peerit.daemon.control.ControlProtocol;
import org.peerit.daemon.control.ControlRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * Not for users: loads the classes the other commands load (picocli's model and help, Jackson, junixsocket, the
 * progress display) and does nothing else, so that the launcher can list them once after a build and archive them
 * for class data sharing. Then every command starts from the archive, whichever ran first.
 */
@Command(name = "startup-training", hidden = true)
final class StartupTraining implements Callable<Integer> {
    private static final String PROGRESS = "{\"event\":\"progress\",\"name\":\"f\",\"state\":\"downloading\","
            + "\"verified\":1048576,\"size\":4194304,\"rate\":1048576,\"peers\":2,\"tracker\":null}";

    @Override
    public Integer call() throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        for (CommandLine command : Peerit.commandLine().getSubcommands().values()) {
            command.usage(nowhere);
        }
        ObjectMapper json = ControlProtocol.json();
        json.writerFor(ControlRequest.class).writeValueAsString(new ControlRequest.Download("/f", "/d"));
        ControlEvent.Progress event = (ControlEvent.Progress) json.readValue(PROGRESS, ControlEvent.class);
        json.writerWithDefaultPrettyPrinter().forType(ControlEvent.class).writeValueAsString(event);
        for (boolean terminal : new boolean[]{true, false}) {
            ProgressDisplay display = new ProgressDisplay(nowhere, terminal);
            display.update(event.name(), event.state(), event.verified(), event.size(), event.rate(), event.peers(), null);
            display.finish();
        }
        File nothing = new File(System.getProperty("java.io.tmpdir"), "peerit-training-" + ProcessHandle.current().pid());
        try (AFUNIXSocket socket = AFUNIXSocket.newInstance()) {
            socket.connect(AFUNIXSocketAddress.of(nothing));
        } catch (IOException expected) {
            // no daemon listens there: the point was loading the socket classes and native library
        }
        return 0;
    }
}
