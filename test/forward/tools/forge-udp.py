#!/usr/bin/env python3
# Off-path forger for test/forward/spoofing.test.ts: sends one UDP datagram
# per DNS ID in [first, first + count) from a spoofed IPv4 source, through a
# raw socket (IP_HDRINCL; needs root or CAP_NET_RAW). The DNS message comes
# as hex on stdin; its first two bytes (the ID) are replaced for each datagram.
# Usage: forge-udp.py SRC_IP SRC_PORT DST_IP DST_PORT FIRST_ID COUNT [BURST]
# BURST: pause 1 ms after every BURST datagrams (a paced flood, so the
# target's socket buffer does not overflow and drop the one with the right ID).
# Prints how many datagrams were sent. Loopback only in the tests.
import errno
import socket
import struct
import sys
import time

src_ip, src_port, dst_ip, dst_port, first, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
burst = int(sys.argv[7]) if len(sys.argv) > 7 else 0
payload = bytearray(bytes.fromhex(sys.stdin.read().strip()))
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
udp_length = 8 + len(payload)
# Version/IHL, TOS, total length, ID 0 and checksum 0 (the kernel fills both), TTL 64, UDP.
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + udp_length, 0, 0, 64, socket.IPPROTO_UDP, 0,
                 socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
udp = struct.pack('!HHHH', src_port, dst_port, udp_length, 0)  # UDP checksum 0: none (IPv4)
head = ip + udp
sent = 0
for dns_id in range(first, first + count):
    payload[0] = (dns_id >> 8) & 0xff
    payload[1] = dns_id & 0xff
    for _ in range(100):
        try:
            raw.sendto(head + payload, (dst_ip, 0))
            sent += 1
            break
        except OSError as error:
            if error.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
            time.sleep(0.001)
    if burst and sent % burst == 0:
        time.sleep(0.001)
print(sent)
