/* Test workload for sockets a restart binds again: a TCP listener on 127.0.0.1 (a port the kernel picks) answers
 * every connection with "hello N\n" (N counts connections since the start) and closes it; a UDP socket bound to
 * 127.0.0.1 (another picked port) answers every datagram with "udp N\n" (N counts datagrams).
 *   OUTDIR/status: tcp-port  udp-port  connections  datagrams
 * usage: listener OUTDIR */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "status.h"

static int bound(int type, int *port) {
    int s = socket(AF_INET, type, 0), on = 1;
    /* as servers do, so that a restart may bind while answered connections linger in TIME_WAIT */
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *) &a, sizeof a) != 0 || getsockname(s, (struct sockaddr *) &a, &l) != 0) exit(3);
    *port = ntohs(a.sin_port);
    return s;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int tport, uport;
    int t = bound(SOCK_STREAM, &tport), u = bound(SOCK_DGRAM, &uport);
    if (listen(t, 16) != 0) return 4;
    unsigned long conns = 0, grams = 0;
    char line[128];
    for (;;) {
        snprintf(line, sizeof line, "%d %d %lu %lu\n", tport, uport, conns, grams);
        status(argv[1], "status", line);
        struct pollfd p[2] = {{t, POLLIN, 0}, {u, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return 5;
        }
        if (p[0].revents & POLLIN) {
            int c = accept(t, NULL, NULL);
            if (c >= 0) {
                int n = snprintf(line, sizeof line, "hello %lu\n", ++conns);
                (void) !write(c, line, (size_t) n);
                close(c);
            }
        }
        if (p[1].revents & POLLIN) {
            struct sockaddr_in from;
            socklen_t l = sizeof from;
            char b[64];
            if (recvfrom(u, b, sizeof b, 0, (struct sockaddr *) &from, &l) >= 0) {
                int n = snprintf(line, sizeof line, "udp %lu\n", ++grams);
                sendto(u, line, (size_t) n, 0, (struct sockaddr *) &from, l);
            }
        }
    }
}
