// A closed-loop UDP DNS client for bench/reply-source.mjs: keeps WINDOW
// questions for kubernetes.default.svc.cluster.local outstanding against
// 127.0.0.1:PORT with sendmmsg/recvmmsg, so the server reads full batches
// (a Node client tops out below the batched server). Prints
// {"received":N,"seconds":S}. Built by the bench with `cc -O2`.
//
//   udp-blast PORT SECONDS [WINDOW]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int port = atoi(argv[1]);
  double seconds = atof(argv[2]);
  int window = argc > 3 ? atoi(argv[3]) : 512;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) != 0) return 1;
  int buffer = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  static const unsigned char name[] = "\x0akubernetes\x07" "default\x03svc\x07" "cluster\x05local";
  unsigned char queries[BATCH][64], replies[BATCH][1024];
  size_t length = 12 + sizeof(name) + 4;
  struct mmsghdr out[BATCH], in[BATCH];
  struct iovec out_iov[BATCH], in_iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    memset(queries[i], 0, sizeof(queries[i]));
    queries[i][0] = (unsigned char)i;
    queries[i][2] = 1;  // RD
    queries[i][5] = 1;  // QDCOUNT
    memcpy(queries[i] + 12, name, sizeof(name));  // with its final 0
    queries[i][12 + sizeof(name) + 1] = 1;  // QTYPE A
    queries[i][12 + sizeof(name) + 3] = 1;  // QCLASS IN
    out_iov[i] = (struct iovec){.iov_base = queries[i], .iov_len = length};
    in_iov[i] = (struct iovec){.iov_base = replies[i], .iov_len = sizeof(replies[i])};
    memset(&out[i], 0, sizeof(out[i]));
    memset(&in[i], 0, sizeof(in[i]));
    out[i].msg_hdr.msg_iov = &out_iov[i];
    out[i].msg_hdr.msg_iovlen = 1;
    in[i].msg_hdr.msg_iov = &in_iov[i];
    in[i].msg_hdr.msg_iovlen = 1;
  }
  long received = 0;
  int outstanding = 0;
  double start = now(), end = start + seconds, progress = start;
  while (now() < end) {
    while (outstanding < window) {
      int n = window - outstanding < BATCH ? window - outstanding : BATCH;
      int sent = sendmmsg(fd, out, (unsigned int)n, 0);
      if (sent <= 0) break;
      outstanding += sent;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, 10);
    int got;
    while ((got = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL)) > 0) {
      received += got;
      outstanding -= got;
      progress = now();
    }
    if (outstanding < 0) outstanding = 0;
    // Lost questions are never answered: after 100 ms without an answer, start the window again.
    if (now() - progress > 0.1) {
      outstanding = 0;
      progress = now();
    }
  }
  printf("{\"received\":%ld,\"seconds\":%.3f}\n", received, now() - start);
  return 0;
}
