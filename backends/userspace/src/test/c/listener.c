/* Test workload for sockets a restart binds again: a TCP listener on 127.0.0.1 (a port the kernel picks) answers
 * every connection with "hello N\n" (N counts connections since the start) and closes it; a UDP socket bound to
 * 127.0.0.1 (another picked port) answers every datagram with "udp N\n" (N counts datagrams); a unix listener on
 * OUTDIR/ctl.sock answers "unix N\n".
 *   OUTDIR/status: tcp-port  udp-port  connections  datagrams  unix-connections
 * usage: listener OUTDIR */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
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
    int x = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un ua = { .sun_family = AF_UNIX };
    snprintf(ua.sun_path, sizeof ua.sun_path, "%s/ctl.sock", argv[1]);
    if (x < 0 || bind(x, (struct sockaddr *) &ua, sizeof ua) != 0 || listen(x, 16) != 0) return 7;
    unsigned long conns = 0, grams = 0, uconns = 0;
    char line[128];
    for (;;) {
        snprintf(line, sizeof line, "%d %d %lu %lu %lu\n", tport, uport, conns, grams, uconns);
        status(argv[1], "status", line);
        struct pollfd p[3] = {{t, POLLIN, 0}, {u, POLLIN, 0}, {x, POLLIN, 0}};
        if (poll(p, 3, -1) < 0) {
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
        if (p[2].revents & POLLIN) {
            int c = accept(x, NULL, NULL);
            if (c >= 0) {
                int n = snprintf(line, sizeof line, "unix %lu\n", ++uconns);
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
