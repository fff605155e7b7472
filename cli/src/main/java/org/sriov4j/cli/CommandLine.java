package org.sriov4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's arguments as the user typed them, in UTF-8, whatever the locale.
 *
 * <p>The JVM decodes {@code argv} with the locale's encoding ({@code sun.jnu.encoding}); under the {@code C} or
 * {@code POSIX} locale ({@code ANSI_X3.4-1968}) every byte above 0x7f becomes {@code ?} before {@code main} runs, so
 * a guest named {@code vm-café} would be recorded as {@code vm-caf??}. Linux keeps the original bytes in
 * {@code /proc/self/cmdline} (NUL-separated, the program's own arguments last): when the encoding is not UTF-8, the
 * last {@code args.length} entries are decoded as UTF-8 instead, provided they are valid UTF-8 and agree with what
 * the JVM made of them (the same ASCII characters, {@code ?} where the JVM put one). Otherwise the JVM's arguments
 * are used as they are (and {@code lease}/{@code attach} refuse a name with {@code ?} in it).
 */
final class CommandLine {

    private CommandLine() {
    }

    /**
     * The arguments in UTF-8.
     *
     * @param args what {@code main} received
     * @return the arguments, re-read from {@code /proc/self/cmdline} when the locale garbled them
     */
    static String[] utf8(String[] args) {
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (encoding.equalsIgnoreCase("UTF-8")) {
            return args;
        }
        try {
            return utf8(args, Files.readAllBytes(Path.of("/proc/self/cmdline")));
        } catch (IOException | RuntimeException e) {
            return args;
        }
    }

    /**
     * The arguments decoded from a {@code /proc/PID/cmdline} image.
     *
     * @param args what {@code main} received
     * @param cmdline the NUL-separated command line
     * @return the UTF-8 arguments, or {@code args} if the image does not match them
     */
    static String[] utf8(String[] args, byte[] cmdline) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                byte[] part = new byte[i - start];
                System.arraycopy(cmdline, start, part, 0, part.length);
                parts.add(part);
                start = i + 1;
            }
        }
        if (parts.size() < args.length) {
            return args;
        }
        String[] out = new String[args.length];
        for (int k = 0; k < args.length; k++) {
            byte[] raw = parts.get(parts.size() - args.length + k);
            String decoded;
            try {
                decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                return args;
            }
            if (!agrees(args[k], raw)) {
                return args;
            }
            out[k] = decoded;
        }
        return out;
    }

    /** Whether the JVM's string is the raw bytes with every non-ASCII byte (or sequence) shown as '?'. */
    private static boolean agrees(String jvm, byte[] raw) {
        StringBuilder ascii = new StringBuilder();
        for (byte b : raw) {
            ascii.append(b >= 0 ? (char) b : '?');
        }
        if (jvm.contentEquals(ascii)) {
            return true;
        }
        // some decoders turn a whole multi-byte sequence into one replacement: compare the ASCII characters only
        String a = ascii.toString().replaceAll("\\?+", "?");
        String j = jvm.replace('\uFFFD', '?').replaceAll("\\?+", "?");
        return a.equals(j);
    }
}
