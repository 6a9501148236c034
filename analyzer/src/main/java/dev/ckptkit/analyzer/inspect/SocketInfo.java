package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.SocketRow;
import java.util.List;

/** A socket and the descriptors ({@code PID/FD}) that hold it. */
public record SocketInfo(SocketRow socket, List<String> holders) {}
