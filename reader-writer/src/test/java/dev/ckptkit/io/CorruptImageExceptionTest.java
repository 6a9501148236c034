package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Messages quote the damaged input; a hostile one must not break the one-line error (a DMTCP fuzz finding). */
class CorruptImageExceptionTest {
    @Test
    void controlCharactersFromTheInputAreEscaped() {
        CorruptImageException e = new CorruptImageException("dir/x\ny", 7, "signature 'DMTCP_CHECK\nPOINT\t\u0000'");
        assertEquals("dir/x\\x0ay: corrupt at offset 7: signature 'DMTCP_CHECK\\x0aPOINT\\x09\\x00'", e.getMessage());
        assertEquals("dir/x\ny", e.resource());
    }
}
