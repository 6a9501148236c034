package dev.ckptkit.analyzer.validate;

/**
 * One finding: a stable reason code (listed in docs/validate.md, never renamed), its severity, the object concerned
 * ("pid 42", "pid 42 fd 3", "file /usr/lib/libc.so.6", "area pid 42 0x7f..-0x7f..", "port tcp 127.0.0.1:47001"),
 * what is wrong, and what to do about it.
 */
public record Finding(String code, Severity severity, String rule, String object, String explanation, String remedy) {}
