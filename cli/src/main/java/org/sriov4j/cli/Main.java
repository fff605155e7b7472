package org.sriov4j.cli;

/** Entry point of the {@code sriov4j} command. */
public final class Main {

    /**
     * JNA's own logger: when JNA cannot unpack its native library it logs a warning with a stack trace before it
     * throws; the command line reports the failure itself in one line ({@link Cli#nativeAccessFailed}). Kept in a
     * field: the logging framework holds loggers weakly, and a collected logger forgets its level.
     */
    private static final java.util.logging.Logger JNA_LOG = java.util.logging.Logger.getLogger("com.sun.jna");

    private Main() {
    }

    /**
     * Runs the command line and exits with its status: 0 success, 1 operation failed, 2 bad usage.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        JNA_LOG.setLevel(java.util.logging.Level.SEVERE);
        int status = new Cli(System.out, System.err).run(CommandLine.utf8(args));
        System.out.flush();
        System.exit(status);
    }
}
