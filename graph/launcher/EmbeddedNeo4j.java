import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs Neo4j Community as a local server: the embedded DBMS with its Bolt connector on, authentication
 * on and APOC core loaded from the plugins folder. Maven Central carries no Neo4j server archive, only
 * the libraries, so this is how the project gets a real Neo4j without Docker (docs/adr/0001).
 *
 * Usage: java -cp <classpath> EmbeddedNeo4j <home> <host> <boltPort> <password>
 * Prints "READY bolt://host:port" once Bolt accepts connections; stops cleanly on SIGTERM or when
 * its standard input closes (the parent process has gone).
 */
public final class EmbeddedNeo4j {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: EmbeddedNeo4j <home> <host> <boltPort> <password>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        String password = args[3];
        Path plugins = home.resolve("plugins");
        Files.createDirectories(plugins);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }));

        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            e.printStackTrace();
            dbms.shutdown();
            System.exit(1);
        }

        // Our parent holds our standard input open: when it closes, the parent is gone, so stop too
        // rather than keep a database running that nobody will stop.
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) { /* discard */ }
            } catch (java.io.IOException ignored) {
                // closed
            }
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        System.out.println("READY bolt://" + host + ":" + port);
        System.out.flush();
        stopped.await();
    }

    /** The neo4j user starts with a password that must be changed; set ours so clients can log in. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            // Set at an earlier start: nothing to change.
            if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) throw e;
        }
    }
}
