package dev.ckptkit.analyzer.index;

/**
 * Rewrites a user query before Lucene's classic parser sees it. That parser reads {@code /.../} as a regular
 * expression, so {@code file:/etc/shadow} would be the regex "etc" followed by the term "shadow". Here a slash
 * outside quotes is escaped unless it opens a regex that closes at the end of the term ({@code file:/.*shadow/}).
 */
public final class QuerySyntax {
    private QuerySyntax() {}

    public static String escapePaths(String q) {
        StringBuilder out = new StringBuilder(q.length() + 8);
        boolean quoted = false;
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (c == '\\' && i + 1 < q.length()) {
                out.append(c).append(q.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c != '/' || quoted) {
                out.append(c);
                continue;
            }
            int close = regexEnd(q, i);
            if (close > 0) {
                out.append(q, i, close + 1);
                i = close;
            } else {
                out.append("\\/");
            }
        }
        return out.toString();
    }

    /** If a regex starts at {@code i} (at the start of a term) and ends at a term boundary, its closing slash. */
    private static int regexEnd(String q, int i) {
        if (i > 0 && !(q.charAt(i - 1) == ':' || Character.isWhitespace(q.charAt(i - 1)) || q.charAt(i - 1) == '(')) return -1;
        for (int j = i + 1; j < q.length(); j++) {
            char c = q.charAt(j);
            if (c == '\\') {
                j++;
                continue;
            }
            if (c == '/') {
                boolean boundary = j + 1 == q.length() || Character.isWhitespace(q.charAt(j + 1)) || q.charAt(j + 1) == ')'
                        || q.charAt(j + 1) == '^' || q.charAt(j + 1) == '~';
                return boundary ? j : -1;
            }
            if (Character.isWhitespace(c)) return -1;
        }
        return -1;
    }
}
