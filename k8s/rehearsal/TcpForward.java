// A TCP forwarder for the rehearsal's model host (k8s/rehearsal/rehearse.sh), run as `java TcpForward.java` (the
// JDK's single-file launch) in the stand-in's pod: fomo-standin listens on 127.0.0.1 only, so this container of the
// same pod accepts on the pod's address and forwards each connection to it. Rehearsal only; JDK only.
//
//   java TcpForward.java LISTEN_PORT TARGET_HOST TARGET_PORT
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

public class TcpForward {
    public static void main(String[] args) throws IOException {
        int listen = Integer.parseInt(args[0]);
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("0.0.0.0", listen));
            System.out.println("forwarding 0.0.0.0:" + listen + " -> " + host + ":" + port);
            while (true) {
                Socket in = server.accept();
                daemon(() -> connect(in, host, port));
            }
        }
    }

    private static void connect(Socket in, String host, int port) {
        try {
            Socket out = new Socket(host, port);
            daemon(() -> pump(in, out));
            pump(out, in);
        } catch (IOException e) {
            close(in);
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            i.transferTo(o);
        } catch (IOException ignored) {
            // the other side closed: close both below
        } finally {
            close(from);
            close(to);
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
