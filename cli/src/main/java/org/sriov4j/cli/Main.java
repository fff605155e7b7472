package org.sriov4j.cli;

/** Entry point of the {@code sriov4j} command. */
public final class Main {

    private Main() {
    }

    /**
     * Runs the command line and exits with its status: 0 success, 1 operation failed, 2 bad usage.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int status = new Cli(System.out, System.err).run(CommandLine.utf8(args));
        System.out.flush();
        System.exit(status);
    }
}
