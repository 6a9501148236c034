package dev.ckptkit.analyzer.inspect;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What {@code ckpt grep} looks for: exact bytes, or a regular expression over bytes read as ISO-8859-1. */
public sealed interface BytePattern {
    /** Bytes to find; found with {@link LiteralSearch}. */
    record Literal(byte[] bytes) implements BytePattern {}

    /**
     * A java.util.regex pattern over bytes viewed as ISO-8859-1 characters. {@code prefix} is a literal every match
     * starts with (possibly empty): candidates are found with {@link LiteralSearch} and the regex runs only there.
     */
    record Regex(Pattern pattern, byte[] prefix) implements BytePattern {}

    /** Bytes given in hex, e.g. {@code "43 4b 50 54"} or {@code "434b5054"}. */
    static BytePattern hex(String hex) {
        String h = hex.replaceAll("[\\s:]", "");
        if (h.startsWith("0x") || h.startsWith("0X")) h = h.substring(2);
        if (h.isEmpty() || h.length() % 2 != 0) throw new IllegalArgumentException("hex pattern '" + hex + "' must have an even number of hex digits");
        try {
            return new Literal(HexFormat.of().parseHex(h));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hex pattern '" + hex + "' is not hex: " + e.getMessage());
        }
    }

    /**
     * A regular expression; a pattern without regex syntax becomes a {@link Literal}. Characters beyond ASCII
     * stand for their UTF-8 bytes.
     */
    static BytePattern regex(String regex, boolean ignoreCase) {
        String re = utf8AsLatin1(regex);
        if (!ignoreCase && !re.isEmpty() && isPlainLiteral(re)) return new Literal(re.getBytes(StandardCharsets.ISO_8859_1));
        try {
            Pattern p = Pattern.compile(re, Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
            return new Regex(p, ignoreCase ? new byte[0] : literalPrefix(re).getBytes(StandardCharsets.ISO_8859_1));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static String utf8AsLatin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static boolean isPlainLiteral(String re) {
        for (int i = 0; i < re.length(); i++) if ("\\^$.|?*+()[]{}".indexOf(re.charAt(i)) >= 0) return false;
        return true;
    }

    /**
     * A literal that every match must start with: the leading run of plain (or backslash-escaped punctuation)
     * characters, minus the last one if a quantifier follows it. Empty when the pattern has alternation or
     * inline flags anywhere, which could make the prefix optional.
     */
    static String literalPrefix(String re) {
        if (re.indexOf('|') >= 0 || re.contains("(?")) return "";
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < re.length()) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length() && !Character.isLetterOrDigit(re.charAt(i + 1))) {
                sb.append(re.charAt(i + 1));
                i += 2;
            } else if ("\\^$.|?*+()[]{}".indexOf(c) < 0) {
                sb.append(c);
                i++;
            } else {
                break;
            }
        }
        if (i < re.length() && "?*{".indexOf(re.charAt(i)) >= 0 && !sb.isEmpty()) sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
