// Batched UDP receive and send for the DNS server's socket (Linux).
//
// Node's dgram hands JavaScript one datagram per callback and takes one send
// request per reply; at tens of thousands of queries a second that per-datagram
// work (callback, rinfo object, address string, send request, one syscall
// each way) costs more than answering. Here the socket's readiness is watched
// on Node's own event loop, up to BATCH datagrams are read with one recvmmsg
// into buffers JavaScript shares, JavaScript is called once for the whole
// batch and writes its replies into the shared output slots, and the replies
// go out with one sendmmsg. Nothing here knows DNS.
//
// The socket stays dgram's (it binds, picks the port, is shared between
// --workers by Node's cluster module); this module reads a dup of its fd, and
// the caller stops dgram's own reading.
//
// Reply source: on a socket bound to a wildcard (0.0.0.0, ::) the kernel
// would pick a reply's source address from the route back to the client,
// which on a host with several addresses need not be the address the query
// was sent to; resolvers drop such replies. So on a wildcard socket each
// datagram's destination is read from its IP_PKTINFO / IPV6_PKTINFO control
// message, and its reply is sent with that address as the source (as BIND,
// Unbound and dnsmasq do). A socket bound to one address needs none of it.
//
// Stand-in: while JavaScript builds the next cluster state (hundreds of
// milliseconds of work, cut into slices, with the collector's pauses in
// between), a thread of this module reads the socket instead and answers
// the questions it has replies for, from a table JavaScript rendered out of
// the current state's answers before the build began (stand_in below). Every
// other datagram goes to JavaScript, queued, through the same batch callback
// as ever. The table is gone before the new state answers: standDown joins
// the thread before JavaScript swaps states.

#define _GNU_SOURCE
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

// Datagrams per recvmmsg/sendmmsg call.
#define BATCH 64
// A slot holds the largest UDP payload, so no datagram is ever cut short.
// The memory is calloc'd (mmap'd, zero pages): only the bytes datagrams and
// replies actually use become resident.
#define SLOT 65536
// Per-slot metadata shared with JavaScript, as int32s:
// [0] received length, [1] reply length (set by JavaScript; 0 = no reply),
// [2] address family (4 or 6), [3] port, [4..7] address bytes (network order),
// [8] family of the local (destination) address: 0 when not known (a socket
// bound to one address), 4 or 6, [9] the interface index it came in on,
// [10..13] the local address bytes, [14] the sender's IPv6 scope id,
// [15] unused. Slots 2..15 are a "route": what send() needs to answer later.
#define META_INTS 16
#define ROUTE_OFFSET 2
#define ROUTE_INTS 14
// Room for one IP_PKTINFO or IPV6_PKTINFO control message (and a spare).
#define CONTROL_SIZE 64
// Batches read per wake-up before the event loop gets a turn (timers, TCP).
#define ROUNDS_PER_WAKE 16

typedef struct StandIn StandIn;

// Room for one control message, aligned as one.
typedef union {
  struct cmsghdr align;
  uint8_t bytes[CONTROL_SIZE];
} Control;

typedef struct {
  int fd;
  int closing;
  // The stand-in thread while JavaScript builds (NULL otherwise), and the
  // wake-up that hands JavaScript the datagrams it did not answer.
  StandIn *stand_in;
  uv_async_t *misses;
  // Allocated apart: libuv may still hold it after the Batcher is freed.
  uv_poll_t *poll;
  napi_env env;
  napi_ref on_batch;
  napi_async_context async_context;
  napi_ref resource;
  uint8_t *in;
  uint8_t *out;
  int32_t *meta;
  struct mmsghdr recv_msgs[BATCH];
  struct mmsghdr send_msgs[BATCH];
  struct iovec recv_iov[BATCH];
  struct iovec send_iov[BATCH];
  struct sockaddr_storage peers[BATCH];
  // Whether the socket reads destination addresses (bound to a wildcard),
  // and its family (AF_INET, or AF_INET6 also for v4-mapped peers).
  int pktinfo;
  int family;
  Control recv_control[BATCH], send_control[BATCH];
  // Datagrams the stand-in read and left to JavaScript, oldest first.
  pthread_mutex_t lock;
  struct Pending *head, *tail;
  int pending;
} Batcher;

// The local address a datagram was sent to, from its control messages, into
// meta [8..13]. IPv4's ipi_spec_dst is the local address (the header's
// destination, or ours for a broadcast); IPv6's ipi6_addr is the header's
// destination (a v4-mapped address for IPv4 on a dual-stack socket).
static void read_local(const Batcher *b, struct msghdr *hdr, int32_t *meta) {
  meta[8] = 0;
  meta[9] = 0;
  memset(meta + 10, 0, 16);
  if (!b->pktinfo) return;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(hdr); c != NULL; c = CMSG_NXTHDR(hdr, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
      struct in_pktinfo info;
      memcpy(&info, CMSG_DATA(c), sizeof(info));
      meta[8] = 4;
      meta[9] = info.ipi_ifindex;
      memcpy(meta + 10, &info.ipi_spec_dst, 4);
      return;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
      struct in6_pktinfo info;
      memcpy(&info, CMSG_DATA(c), sizeof(info));
      // A multicast destination cannot be a source: leave it to the kernel.
      if (IN6_IS_ADDR_MULTICAST(&info.ipi6_addr)) return;
      meta[8] = 6;
      meta[9] = (int32_t)info.ipi6_ifindex;
      memcpy(meta + 10, &info.ipi6_addr, 16);
      return;
    }
  }
}

// The control message that makes a reply leave from the local address in
// `route` (meta slots 2..15), or 0 when there is none to give. The
// interface is left to routing (index 0), as Unbound does for IPv4, except
// for an IPv6 link-local source, which means nothing without its interface.
static socklen_t write_source(const Batcher *b, const int32_t *route, void *control) {
  int32_t local_family = route[8 - ROUTE_OFFSET];
  if (local_family == 0) return 0;
  struct cmsghdr *c = (struct cmsghdr *)control;
  memset(control, 0, CONTROL_SIZE);
  if (b->family == AF_INET && local_family == 4) {
    struct in_pktinfo info;
    memset(&info, 0, sizeof(info));
    memcpy(&info.ipi_spec_dst, route + 10 - ROUTE_OFFSET, 4);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(info));
    memcpy(CMSG_DATA(c), &info, sizeof(info));
    return CMSG_SPACE(sizeof(info));
  }
  if (b->family == AF_INET6 && local_family == 6) {
    struct in6_pktinfo info;
    memset(&info, 0, sizeof(info));
    memcpy(&info.ipi6_addr, route + 10 - ROUTE_OFFSET, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) info.ipi6_ifindex = (unsigned int)route[9 - ROUTE_OFFSET];
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(info));
    memcpy(CMSG_DATA(c), &info, sizeof(info));
    return CMSG_SPACE(sizeof(info));
  }
  return 0;
}

// A datagram's metadata (META_INTS int32s, layout above) from its header and sender.
static void write_meta(const Batcher *b, struct mmsghdr *msg, const struct sockaddr_storage *peer, int32_t *meta) {
  uint8_t *address = (uint8_t *)(meta + 4);
  meta[0] = (int32_t)msg->msg_len;
  meta[1] = 0;
  if (peer->ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
    meta[2] = 6;
    meta[3] = ntohs(in6->sin6_port);
    memcpy(address, &in6->sin6_addr, 16);
  } else {
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)peer;
    meta[2] = 4;
    meta[3] = ntohs(in4->sin_port);
    memset(address, 0, 16);
    memcpy(address, &in4->sin_addr, 4);
  }
  meta[14] = peer->ss_family == AF_INET6 ? (int32_t)((const struct sockaddr_in6 *)peer)->sin6_scope_id : 0;
  meta[15] = 0;
  read_local(b, &msg->msg_hdr, meta);
}

static void fill_meta(Batcher *b, int i) {
  write_meta(b, &b->recv_msgs[i], &b->peers[i], b->meta + i * META_INTS);
}

// Point `msgs` at BATCH slots of `in`, their senders and control messages (once).
static void point_receive(struct mmsghdr *msgs, struct iovec *iov, uint8_t *in, struct sockaddr_storage *peers, Control *control, int pktinfo) {
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = in + (size_t)i * SLOT;
    iov[i].iov_len = SLOT;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &peers[i];
    msgs[i].msg_hdr.msg_control = pktinfo ? control[i].bytes : NULL;
  }
}

// Ready `msgs` for a recvmmsg into the buffers they point at (point_receive).
static void reset_receive(struct mmsghdr *msgs, int pktinfo) {
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    msgs[i].msg_hdr.msg_flags = 0;
    msgs[i].msg_hdr.msg_controllen = pktinfo ? CONTROL_SIZE : 0;
    msgs[i].msg_len = 0;
  }
}

// One reply of a sendmmsg: `length` bytes at `data` to `peer`, from the
// local address in `route` when there is one to give (write_source).
static void add_reply(const Batcher *b, struct mmsghdr *msg, struct iovec *iov, void *control, void *data, size_t length,
                      struct sockaddr_storage *peer, socklen_t peer_length, const int32_t *route) {
  iov->iov_base = data;
  iov->iov_len = length;
  memset(&msg->msg_hdr, 0, sizeof(msg->msg_hdr));
  msg->msg_hdr.msg_iov = iov;
  msg->msg_hdr.msg_iovlen = 1;
  msg->msg_hdr.msg_name = peer;
  msg->msg_hdr.msg_namelen = peer_length;
  socklen_t control_length = write_source(b, route, control);
  msg->msg_hdr.msg_control = control_length > 0 ? control : NULL;
  msg->msg_hdr.msg_controllen = control_length;
}

// Send `count` replies. A reply the kernel refuses (a full send buffer, an
// unreachable peer) is skipped: UDP gives no guarantee, and the client retries.
static void send_all(int fd, struct mmsghdr *msgs, int count) {
  int sent = 0;
  while (sent < count) {
    int result = sendmmsg(fd, msgs + sent, (unsigned int)(count - sent), 0);
    if (result > 0) {
      sent += result;
    } else if (result < 0 && errno == EINTR) {
      continue;
    } else {
      sent++; // skip the one the kernel refused
    }
  }
}

// Send every slot JavaScript filled (send_all).
static void send_replies(Batcher *b, int received) {
  int count = 0;
  for (int i = 0; i < received; i++) {
    int32_t length = b->meta[i * META_INTS + 1];
    if (length <= 0 || length > SLOT) continue;
    add_reply(b, &b->send_msgs[count], &b->send_iov[count], b->send_control[count].bytes, b->out + (size_t)i * SLOT, (size_t)length, &b->peers[i],
              b->recv_msgs[i].msg_hdr.msg_namelen, b->meta + i * META_INTS + ROUTE_OFFSET);
    count++;
  }
  send_all(b->fd, b->send_msgs, count);
}

// Calls JavaScript as Node calls its own callbacks (an async context, with
// process.nextTick and promise jobs run afterwards). An exception thrown
// there is reported as uncaught, as Node does for its own callbacks.
static int deliver(Batcher *b, int received) {
  napi_env env = b->env;
  napi_value callback, resource, argv[1], result;
  if (napi_get_reference_value(env, b->on_batch, &callback) != napi_ok || callback == NULL) return 0;
  napi_get_reference_value(env, b->resource, &resource);
  napi_create_int32(env, received, &argv[0]);
  napi_status status = napi_make_callback(env, b->async_context, resource, callback, 1, argv, &result);
  if (status == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
    return 0;
  }
  return status == napi_ok;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  Batcher *b = (Batcher *)poll->data;
  if (b == NULL || b->closing || status < 0) return;
  napi_handle_scope scope;
  napi_open_handle_scope(b->env, &scope);
  for (int round = 0; round < ROUNDS_PER_WAKE && !b->closing; round++) {
    reset_receive(b->recv_msgs, b->pktinfo);
    int received = recvmmsg(b->fd, b->recv_msgs, BATCH, MSG_DONTWAIT, NULL);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) break; // EAGAIN: drained; other errors: wait for the next wake-up
    for (int i = 0; i < received; i++) fill_meta(b, i);
    if (!deliver(b, received)) break;
    if (!b->closing) send_replies(b, received);
    if (received < BATCH) break;
  }
  napi_close_handle_scope(b->env, scope);
}

// ---- Stand-in: answering from a table while JavaScript builds ----

static napi_value throw_error(napi_env env, const char *message);
static Batcher *unwrap_this(napi_env env, napi_callback_info info);

// A table reply fits the classic 512-byte payload (JavaScript leaves out
// anything longer), so it is right whatever payload size a client offers.
#define STAND_IN_REPLY_MAX 512
// The longest key: a question's name in wire form and its QTYPE (as answer-cache.ts).
#define STAND_IN_KEY_MAX 128
// Replies per entry and EDNS form: one per turn of a rotating record set.
#define STAND_IN_TURNS_MAX 64
// Three forms of each reply: without EDNS, with EDNS, with EDNS and DO.
#define EDNS_FORMS 3
// Datagrams waiting for JavaScript; past this the thread leaves the rest in the socket's buffer.
#define STAND_IN_PENDING_MAX 4096
#define OPT_TYPE 41

typedef struct Pending {
  struct Pending *next;
  struct sockaddr_storage peer;
  socklen_t peer_length;
  size_t control_length;
  uint8_t control[CONTROL_SIZE];
  uint32_t length;
  uint8_t data[];
} Pending;

typedef struct {
  const uint8_t *key;
  uint16_t key_length;
  uint16_t turns;
  // Index of its first reply: form f, turn t is first_reply + f * turns + t.
  uint32_t first_reply;
} Entry;

// A table JavaScript rendered, read into entries and a hash index.
typedef struct {
  uint8_t *bytes;
  Entry *entries;
  uint32_t entry_count;
  const uint8_t **replies;
  uint16_t *reply_lengths;
  // Open addressing: entry index + 1, 0 = empty.
  uint32_t *slots;
  uint32_t slot_mask;
  // Per entry: replies sent (also picks the turn), and the time spent
  // answering from this table. Read by JavaScript while the thread runs.
  uint32_t *answered;
  uint64_t answering_ns;
} Table;

struct StandIn {
  Batcher *b;
  pthread_t thread;
  int wake_fd;
  atomic_int stop;
  // Held by the thread while it answers a batch, and by JavaScript to put
  // another table in (replace_table): a table is never freed mid-batch.
  pthread_mutex_t table_lock;
  Table *table;
  uint8_t *in;
  struct mmsghdr recv_msgs[BATCH];
  struct mmsghdr send_msgs[BATCH];
  struct iovec recv_iov[BATCH];
  struct iovec send_iov[BATCH];
  struct sockaddr_storage peers[BATCH];
  Control recv_control[BATCH], send_control[BATCH];
  uint8_t out[BATCH][STAND_IN_REPLY_MAX];
};

static uint8_t lower_byte(uint8_t byte) {
  return byte >= 0x41 && byte <= 0x5a ? (uint8_t)(byte | 0x20) : byte;
}

// FNV-1a over a key: the name folded to lower case, the QTYPE as is.
static uint32_t key_hash(const uint8_t *key, uint32_t key_length) {
  uint32_t hash = 0x811c9dc5u;
  for (uint32_t i = 0; i < key_length; i++) {
    hash ^= i < key_length - 2 ? lower_byte(key[i]) : key[i];
    hash *= 0x01000193u;
  }
  return hash;
}

// The reply to `request` from the table, written into `out`: its length, or
// -1 when the table has none (the datagram goes to JavaScript). Accepts
// exactly what answer-cache.ts answers from bytes: a plain query, one
// question of class IN whose name is plain labels, no record but an
// option-less OPT of version 0.
static int stand_in_reply(Table *t, const uint8_t *request, uint32_t length, uint8_t *out) {
  if (length < 12 + 5) return -1;
  uint8_t flags = request[2], flags2 = request[3];
  if ((flags & 0xfe) != 0 || (flags2 & 0xcf) != 0) return -1;
  if (request[4] != 0 || request[5] != 1 || request[6] != 0 || request[7] != 0 || request[8] != 0 || request[9] != 0 || request[10] != 0) return -1;
  uint8_t additionals = request[11];
  if (additionals > 1) return -1;
  uint32_t at = 12;
  for (;;) {
    if (at >= length) return -1;
    uint8_t label = request[at];
    if (label == 0) break;
    if (label > 63) return -1;
    uint32_t end = at + 1 + label;
    if (end >= length || end - 12 + 3 > STAND_IN_KEY_MAX) return -1;
    for (uint32_t i = at + 1; i < end; i++) {
      if (request[i] == '.' || request[i] == '\\') return -1;
    }
    at = end;
  }
  uint32_t question_end = at + 5;
  if (question_end > length || request[at + 3] != 0 || request[at + 4] != 1) return -1;
  uint32_t key_length = at + 3 - 12;
  int form = 0;
  uint32_t o = question_end;
  if (additionals == 1) {
    if (o + 11 != length || request[o] != 0 || request[o + 1] != 0 || request[o + 2] != OPT_TYPE) return -1;
    if (request[o + 5] != 0 || request[o + 6] != 0 || (request[o + 7] & 0x7f) != 0 || request[o + 8] != 0) return -1;
    if (request[o + 9] != 0 || request[o + 10] != 0) return -1;
    form = (request[o + 7] & 0x80) ? 2 : 1;
  } else if (question_end != length) {
    return -1;
  }
  const uint8_t *key = request + 12;
  for (uint32_t probe = key_hash(key, key_length) & t->slot_mask;; probe = (probe + 1) & t->slot_mask) {
    uint32_t slot = t->slots[probe];
    if (slot == 0) return -1;
    Entry *entry = &t->entries[slot - 1];
    if (entry->key_length != key_length) continue;
    uint32_t i = 0;
    while (i < key_length - 2 && entry->key[i] == lower_byte(key[i])) i++;
    if (i < key_length - 2 || entry->key[i] != key[i] || entry->key[i + 1] != key[i + 1]) continue;
    uint32_t turn = t->answered[slot - 1] % entry->turns;
    uint32_t reply = entry->first_reply + (uint32_t)form * entry->turns + turn;
    uint16_t reply_length = t->reply_lengths[reply];
    memcpy(out, t->replies[reply], reply_length);
    // The request's ID, RD and CD, and its question as it spelled it.
    out[0] = request[0];
    out[1] = request[1];
    out[2] = (uint8_t)((out[2] & 0xfe) | (flags & 0x01));
    out[3] = (uint8_t)((out[3] & ~0x10) | (flags2 & 0x10));
    memcpy(out + 12, request + 12, key_length - 2);
    // The reply's OPT (its last 11 bytes) states the payload size the query offered, as writeOpt does.
    if (form > 0) {
      out[reply_length - 8] = request[o + 3];
      out[reply_length - 7] = request[o + 4];
    }
    __atomic_store_n(&t->answered[slot - 1], t->answered[slot - 1] + 1, __ATOMIC_RELAXED);
    return reply_length;
  }
}

// One recvmmsg worth of datagrams: table replies go out with one sendmmsg,
// the rest is queued for JavaScript.
static void stand_in_round(StandIn *s) {
  Batcher *b = s->b;
  reset_receive(s->recv_msgs, b->pktinfo);
  int received = recvmmsg(b->fd, s->recv_msgs, BATCH, MSG_DONTWAIT, NULL);
  if (received <= 0) return;
  struct timespec start, end;
  pthread_mutex_lock(&s->table_lock);
  Table *table = s->table;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int count = 0, queued = 0;
  Pending *first = NULL, *last = NULL;
  for (int i = 0; i < received; i++) {
    struct mmsghdr *msg = &s->recv_msgs[i];
    const uint8_t *data = s->in + (size_t)i * SLOT;
    int length = stand_in_reply(table, data, msg->msg_len, s->out[count]);
    if (length > 0) {
      int32_t meta[META_INTS];
      write_meta(b, msg, &s->peers[i], meta);
      add_reply(b, &s->send_msgs[count], &s->send_iov[count], s->send_control[count].bytes, s->out[count], (size_t)length, &s->peers[i],
                msg->msg_hdr.msg_namelen, meta + ROUTE_OFFSET);
      count++;
      continue;
    }
    Pending *p = malloc(sizeof(Pending) + msg->msg_len);
    if (p == NULL) continue; // dropped, as the kernel drops what does not fit: the client retries
    p->next = NULL;
    p->length = msg->msg_len;
    memcpy(p->data, data, msg->msg_len);
    memcpy(&p->peer, &s->peers[i], sizeof(p->peer));
    p->peer_length = msg->msg_hdr.msg_namelen;
    p->control_length = b->pktinfo && msg->msg_hdr.msg_controllen <= CONTROL_SIZE ? msg->msg_hdr.msg_controllen : 0;
    memcpy(p->control, s->recv_control[i].bytes, p->control_length);
    if (last) last->next = p;
    else first = p;
    last = p;
    queued++;
  }
  send_all(b->fd, s->send_msgs, count);
  clock_gettime(CLOCK_MONOTONIC, &end);
  uint64_t spent = (uint64_t)(end.tv_sec - start.tv_sec) * 1000000000u + (uint64_t)(end.tv_nsec - start.tv_nsec);
  __atomic_store_n(&table->answering_ns, table->answering_ns + spent, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&s->table_lock);
  if (queued == 0) return;
  pthread_mutex_lock(&b->lock);
  if (b->tail) b->tail->next = first;
  else b->head = first;
  b->tail = last;
  b->pending += queued;
  pthread_mutex_unlock(&b->lock);
  uv_async_send(b->misses);
}

static void *stand_in_run(void *arg) {
  StandIn *s = (StandIn *)arg;
  Batcher *b = s->b;
  struct pollfd fds[2] = {{.fd = b->fd, .events = POLLIN}, {.fd = s->wake_fd, .events = POLLIN}};
  while (!atomic_load(&s->stop)) {
    pthread_mutex_lock(&b->lock);
    int full = b->pending >= STAND_IN_PENDING_MAX;
    pthread_mutex_unlock(&b->lock);
    if (full) {
      // JavaScript has not caught up: wait for it (or the stop) a millisecond at a time.
      poll(&fds[1], 1, 1);
      continue;
    }
    int ready = poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) break;
    if (fds[0].revents != 0) stand_in_round(s);
  }
  return NULL;
}

// Datagrams the stand-in left: delivered to JavaScript on the event loop,
// BATCH at a time, exactly as on_readable delivers what it reads.
static void free_pending(Pending *list) {
  while (list) {
    Pending *next = list->next;
    free(list);
    list = next;
  }
}

static void on_misses(uv_async_t *async) {
  Batcher *b = (Batcher *)async->data;
  if (b == NULL) return;
  pthread_mutex_lock(&b->lock);
  Pending *list = b->head;
  b->head = b->tail = NULL;
  b->pending = 0;
  pthread_mutex_unlock(&b->lock);
  napi_handle_scope scope;
  napi_open_handle_scope(b->env, &scope);
  while (list && !b->closing) {
    int count = 0;
    while (list && count < BATCH) {
      Pending *p = list;
      list = p->next;
      struct mmsghdr *msg = &b->recv_msgs[count];
      memcpy(b->in + (size_t)count * SLOT, p->data, p->length);
      memcpy(&b->peers[count], &p->peer, sizeof(p->peer));
      msg->msg_hdr.msg_namelen = p->peer_length;
      msg->msg_hdr.msg_flags = 0;
      if (b->pktinfo) memcpy(b->recv_control[count].bytes, p->control, p->control_length);
      msg->msg_hdr.msg_controllen = b->pktinfo ? p->control_length : 0;
      msg->msg_len = p->length;
      free(p);
      count++;
    }
    for (int i = 0; i < count; i++) fill_meta(b, i);
    if (!deliver(b, count)) break;
    if (!b->closing) send_replies(b, count);
  }
  free_pending(list);
  napi_close_handle_scope(b->env, scope);
}

static void free_table(Table *t) {
  if (t == NULL) return;
  free(t->bytes);
  free(t->entries);
  free(t->replies);
  free(t->reply_lengths);
  free(t->slots);
  free(t->answered);
  free(t);
}

static void free_stand_in(StandIn *s) {
  free_table(s->table);
  pthread_mutex_destroy(&s->table_lock);
  if (s->in != NULL) munmap(s->in, (size_t)BATCH * SLOT);
  free(s);
}

// Stops the thread and waits for it; the table's counts stay readable.
static void join_stand_in(StandIn *s) {
  atomic_store(&s->stop, 1);
  uint64_t one = 1;
  ssize_t written = write(s->wake_fd, &one, sizeof(one));
  (void)written;
  pthread_join(s->thread, NULL);
  close(s->wake_fd);
}

static uint32_t read_u16(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

// The table JavaScript rendered (answer-cache.ts standInTable): a u32
// entry count, then per entry u16 key length, u16 turns, the key (the
// name's wire form in lower case, then QTYPE), and EDNS_FORMS * turns
// replies, each a u16 length and its bytes (little-endian). NULL when it is
// not well formed.
static Table *read_table(const uint8_t *data, size_t size) {
  if (size < 4) return NULL;
  Table *s = calloc(1, sizeof(Table));
  if (s == NULL) return NULL;
  s->bytes = malloc(size);
  if (s->bytes == NULL) {
    free(s);
    return NULL;
  }
  memcpy(s->bytes, data, size);
  const uint8_t *t = s->bytes;
  uint32_t count = read_u16(t) | (read_u16(t + 2) << 16);
  // First pass: check every bound and count the replies.
  size_t at = 4;
  uint32_t replies = 0;
  for (uint32_t e = 0; e < count; e++) {
    if (at + 4 > size) goto bad;
    uint32_t key_length = read_u16(t + at), turns = read_u16(t + at + 2);
    if (key_length < 3 || key_length > STAND_IN_KEY_MAX || turns < 1 || turns > STAND_IN_TURNS_MAX) goto bad;
    at += 4 + key_length;
    for (uint32_t r = 0; r < EDNS_FORMS * turns; r++) {
      if (at + 2 > size) goto bad;
      uint32_t length = read_u16(t + at);
      if (length < 12 + key_length + 2 || length > STAND_IN_REPLY_MAX || at + 2 + length > size) goto bad;
      at += 2 + length;
    }
    replies += EDNS_FORMS * turns;
  }
  if (at != size) goto bad;
  uint32_t slots = 16;
  while (slots < 2 * count) slots *= 2;
  s->entries = calloc(count ? count : 1, sizeof(Entry));
  s->replies = calloc(replies ? replies : 1, sizeof(uint8_t *));
  s->reply_lengths = calloc(replies ? replies : 1, sizeof(uint16_t));
  s->slots = calloc(slots, sizeof(uint32_t));
  s->answered = calloc(count ? count : 1, sizeof(uint32_t));
  if (!s->entries || !s->replies || !s->reply_lengths || !s->slots || !s->answered) goto bad;
  s->entry_count = count;
  s->slot_mask = slots - 1;
  at = 4;
  uint32_t reply = 0;
  for (uint32_t e = 0; e < count; e++) {
    Entry *entry = &s->entries[e];
    entry->key_length = (uint16_t)read_u16(t + at);
    entry->turns = (uint16_t)read_u16(t + at + 2);
    entry->key = t + at + 4;
    entry->first_reply = reply;
    at += 4 + entry->key_length;
    for (uint32_t r = 0; r < EDNS_FORMS * entry->turns; r++) {
      s->reply_lengths[reply] = (uint16_t)read_u16(t + at);
      s->replies[reply] = t + at + 2;
      at += 2 + s->reply_lengths[reply];
      reply++;
    }
    uint32_t probe = key_hash(entry->key, entry->key_length) & s->slot_mask;
    while (s->slots[probe] != 0) probe = (probe + 1) & s->slot_mask;
    s->slots[probe] = e + 1;
  }
  return s;
bad:
  free_table(s);
  return NULL;
}

// The table's counts as JavaScript reads them: { answered: Uint32Array
// (per entry), seconds }. Read while the thread may run: each count may be a
// reply behind.
static napi_value table_counts(napi_env env, const Table *t) {
  napi_value result, buffer, counts, seconds;
  void *bytes = NULL;
  napi_create_object(env, &result);
  napi_create_arraybuffer(env, (size_t)t->entry_count * sizeof(uint32_t), &bytes, &buffer);
  for (uint32_t e = 0; bytes != NULL && e < t->entry_count; e++) {
    ((uint32_t *)bytes)[e] = __atomic_load_n(&t->answered[e], __ATOMIC_RELAXED);
  }
  napi_create_typedarray(env, napi_uint32_array, t->entry_count, buffer, 0, &counts);
  napi_set_named_property(env, result, "answered", counts);
  napi_create_double(env, (double)__atomic_load_n(&t->answering_ns, __ATOMIC_RELAXED) / 1e9, &seconds);
  napi_set_named_property(env, result, "seconds", seconds);
  return result;
}

// The table in argument 0 (answer-cache.ts standInTable's bytes), or NULL
// with *thrown set when the argument is not bytes.
static Table *table_argument(napi_env env, napi_callback_info info, Batcher **b, int *thrown) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, (void **)b);
  bool is_array = false;
  *thrown = 0;
  if (*b == NULL || argc < 1 || napi_is_typedarray(env, argv[0], &is_array) != napi_ok || !is_array) {
    *thrown = 1;
    return NULL;
  }
  napi_typedarray_type type;
  size_t size = 0;
  void *data = NULL;
  napi_get_typedarray_info(env, argv[0], &type, &size, &data, NULL, NULL);
  if (type != napi_uint8_array) {
    *thrown = 1;
    return NULL;
  }
  return read_table((const uint8_t *)data, size);
}

// standIn(table): from now until standDown() a thread reads the socket and
// answers from `table`; event-loop reading stops meanwhile. False when the
// table is not well formed, a stand-in already runs, or the socket is closed.
static napi_value stand_in(napi_env env, napi_callback_info info) {
  napi_value result;
  Batcher *b = NULL;
  int thrown = 0;
  napi_get_boolean(env, false, &result);
  Table *table = table_argument(env, info, &b, &thrown);
  if (thrown) return throw_error(env, "standIn: expected the table's bytes");
  if (table == NULL) return result;
  if (b->closing || b->stand_in != NULL) {
    free_table(table);
    return result;
  }
  StandIn *s = calloc(1, sizeof(StandIn));
  if (s == NULL) {
    free_table(table);
    return result;
  }
  s->b = b;
  s->table = table;
  pthread_mutex_init(&s->table_lock, NULL);
  // Mapped, not calloc'd: a few pages of it are ever touched, and calloc
  // would zero all 4 MiB whenever malloc serves it from its heap.
  s->in = mmap(NULL, (size_t)BATCH * SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s->in == MAP_FAILED) s->in = NULL;
  s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->in == NULL || s->wake_fd < 0) {
    if (s->wake_fd >= 0) close(s->wake_fd);
    free_stand_in(s);
    return result;
  }
  point_receive(s->recv_msgs, s->recv_iov, s->in, s->peers, s->recv_control, b->pktinfo);
  uv_poll_stop(b->poll);
  if (pthread_create(&s->thread, NULL, stand_in_run, s) != 0) {
    uv_poll_start(b->poll, UV_READABLE, on_readable);
    close(s->wake_fd);
    free_stand_in(s);
    return result;
  }
  b->stand_in = s;
  napi_get_boolean(env, true, &result);
  return result;
}

// answeredSoFar() -> { answered, seconds } of the running stand-in's table
// (table_counts), or undefined when none runs.
static napi_value answered_so_far(napi_env env, napi_callback_info info) {
  Batcher *b = unwrap_this(env, info);
  if (b == NULL || b->stand_in == NULL) return NULL;
  return table_counts(env, b->stand_in->table);
}

// replaceTable(table) -> the old table's final counts: the running stand-in
// answers from `table` from its next batch on, without a pause (a swap of
// states puts the next state's table in). Undefined, and nothing changed,
// when none runs or `table` is not well formed.
static napi_value replace_table(napi_env env, napi_callback_info info) {
  Batcher *b = NULL;
  int thrown = 0;
  Table *table = table_argument(env, info, &b, &thrown);
  if (thrown) return throw_error(env, "replaceTable: expected the table's bytes");
  if (table == NULL) return NULL;
  if (b->stand_in == NULL) {
    free_table(table);
    return NULL;
  }
  StandIn *s = b->stand_in;
  pthread_mutex_lock(&s->table_lock);
  Table *old = s->table;
  s->table = table;
  pthread_mutex_unlock(&s->table_lock);
  napi_value counts = table_counts(env, old);
  free_table(old);
  return counts;
}

// standDown() -> the table's final counts (table_counts), or undefined: the
// thread is stopped and joined, the event loop reads again, and what the
// thread left for JavaScript is delivered on its next turn.
static napi_value stand_down(napi_env env, napi_callback_info info) {
  Batcher *b = unwrap_this(env, info);
  if (b == NULL || b->stand_in == NULL) return NULL;
  StandIn *s = b->stand_in;
  join_stand_in(s);
  b->stand_in = NULL;
  if (!b->closing) uv_poll_start(b->poll, UV_READABLE, on_readable);
  napi_value counts = table_counts(env, s->table);
  free_stand_in(s);
  return counts;
}

static void free_memory(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

// After close(): let go of the callback and async context. The Batcher
// itself lives until the object attach() returned is collected
// (free_batcher), so that object's methods stay safe to call; until this
// runs, the callback's strong reference keeps the object alive.
static void on_closed(uv_handle_t *handle) {
  Batcher *b = (Batcher *)handle->data;
  free(handle);
  napi_delete_reference(b->env, b->on_batch);
  napi_delete_reference(b->env, b->resource);
  napi_async_destroy(b->env, b->async_context);
}

static void free_handle(uv_handle_t *handle) {
  free(handle);
}

// Normally after close(). Without one (an environment torn down with the
// socket open), stop watching here; the handle is freed once libuv is done.
static void free_batcher(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Batcher *b = (Batcher *)data;
  if (!b->closing) {
    b->closing = 1;
    if (b->stand_in) {
      join_stand_in(b->stand_in);
      free_stand_in(b->stand_in);
      b->stand_in = NULL;
    }
    uv_poll_stop(b->poll);
    b->poll->data = NULL;
    uv_close((uv_handle_t *)b->poll, free_handle);
    b->misses->data = NULL;
    uv_close((uv_handle_t *)b->misses, free_handle);
    close(b->fd);
  }
  free_pending(b->head);
  pthread_mutex_destroy(&b->lock);
  free(b);
}

static Batcher *unwrap_this(napi_env env, napi_callback_info info) {
  Batcher *b = NULL;
  napi_get_cb_info(env, info, NULL, NULL, NULL, (void **)&b);
  return b;
}

static napi_value close_batcher(napi_env env, napi_callback_info info) {
  Batcher *b = unwrap_this(env, info);
  if (b != NULL && !b->closing) {
    b->closing = 1;
    // The stand-in reads the fd: stopped and joined before it is closed.
    if (b->stand_in) {
      join_stand_in(b->stand_in);
      free_stand_in(b->stand_in);
      b->stand_in = NULL;
    }
    b->misses->data = NULL;
    uv_close((uv_handle_t *)b->misses, free_handle);
    // Stopped polling (libuv drops the fd from epoll at once), the fd is
    // closed now, not in the close callback: the port must be free when the
    // server's close() resolves, and dgram's own close callback may run first.
    uv_poll_stop(b->poll);
    close(b->fd);
    b->fd = -1;
    uv_close((uv_handle_t *)b->poll, on_closed);
  }
  return NULL;
}

// The sender of datagram `index` of the batch being delivered, as text
// (inet_ntop, as node:dgram's rinfo.address). Called only when a reply
// waits, the rate limit or the query log needs it.
static napi_value peer_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  Batcher *b = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&b);
  int32_t index = -1;
  if (b == NULL || argc < 1 || napi_get_value_int32(env, argv[0], &index) != napi_ok || index < 0 || index >= BATCH) {
    napi_throw_range_error(env, NULL, "address: no such datagram");
    return NULL;
  }
  char text[INET6_ADDRSTRLEN] = "";
  const struct sockaddr_storage *peer = &b->peers[index];
  if (peer->ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, text, sizeof(text));
  } else {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, text, sizeof(text));
  }
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

// send(data, route): a reply that was not ready while its batch was read
// (a forwarded name), to the sender in `route` (a copy of the datagram's
// meta slots 2..15), from the address it was sent to. One non-blocking
// sendmsg; returns 0 or the errno (EAGAIN: the send buffer is full, the
// reply is dropped as in a batch; EBADF: closed).
static napi_value send_late(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  Batcher *b = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&b);
  void *data = NULL, *route_data = NULL;
  size_t length = 0, route_length = 0;
  napi_typedarray_type type;
  bool is_array = false;
  if (b == NULL || argc < 2 || napi_is_typedarray(env, argv[0], &is_array) != napi_ok || !is_array) {
    return throw_error(env, "send: expected the reply bytes and a route");
  }
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL);
  if (type != napi_uint8_array || napi_is_typedarray(env, argv[1], &is_array) != napi_ok || !is_array) {
    return throw_error(env, "send: expected the reply bytes and a route");
  }
  napi_get_typedarray_info(env, argv[1], &type, &route_length, &route_data, NULL, NULL);
  if (type != napi_int32_array || route_length != ROUTE_INTS || length > SLOT) {
    return throw_error(env, "send: expected the reply bytes and a route");
  }
  int32_t route[ROUTE_INTS];
  memcpy(route, route_data, sizeof(route));
  struct sockaddr_storage peer;
  socklen_t peer_length;
  memset(&peer, 0, sizeof(peer));
  if (route[0] == 6) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&peer;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)route[1]);
    memcpy(&in6->sin6_addr, route + 2, 16);
    in6->sin6_scope_id = (uint32_t)route[12];
    peer_length = sizeof(*in6);
  } else {
    struct sockaddr_in *in4 = (struct sockaddr_in *)&peer;
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)route[1]);
    memcpy(&in4->sin_addr, route + 2, 4);
    peer_length = sizeof(*in4);
  }
  Control control;
  struct iovec iov = {.iov_base = data, .iov_len = length};
  struct msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_name = &peer;
  msg.msg_namelen = peer_length;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  socklen_t control_length = b->closing ? 0 : write_source(b, route, control.bytes);
  msg.msg_control = control_length > 0 ? control.bytes : NULL;
  msg.msg_controllen = control_length;
  int error = 0;
  if (b->closing || b->fd < 0) {
    error = EBADF;
  } else {
    while (sendmsg(b->fd, &msg, MSG_DONTWAIT) < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
  }
  napi_create_int32(env, error, &result);
  return result;
}

// Whether replies need their source set: the socket is bound to a wildcard
// address. Then asks the kernel for each datagram's destination. Returns 0,
// or -1 when the kernel refuses (the caller says so and gives up).
static int enable_pktinfo(Batcher *b) {
  struct sockaddr_storage local;
  socklen_t local_length = sizeof(local);
  if (getsockname(b->fd, (struct sockaddr *)&local, &local_length) != 0) return -1;
  int on = 1;
  b->family = local.ss_family;
  if (local.ss_family == AF_INET) {
    if (((struct sockaddr_in *)&local)->sin_addr.s_addr != htonl(INADDR_ANY)) return 0;
    if (setsockopt(b->fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) != 0) return -1;
  } else if (local.ss_family == AF_INET6) {
    if (!IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&local)->sin6_addr)) return 0;
    // Also covers IPv4 on a dual-stack socket (ipi6_addr is v4-mapped).
    if (setsockopt(b->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) != 0) return -1;
  } else {
    return -1;
  }
  b->pktinfo = 1;
  return 0;
}

static int shared_buffer(napi_env env, size_t size, uint8_t **data, napi_value *value) {
  *data = calloc(1, size);
  if (*data == NULL) return 0;
  if (napi_create_external_arraybuffer(env, *data, size, free_memory, NULL, value) != napi_ok) {
    free(*data);
    return 0;
  }
  return 1;
}

// attach(fd, onBatch(count)) -> { input, output, meta, batch, slot, close(), address(i) }
static napi_value attach(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  napi_valuetype callback_type;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return throw_error(env, "attach: expected a file descriptor");
  napi_typeof(env, argv[1], &callback_type);
  if (callback_type != napi_function) return throw_error(env, "attach: expected a callback");

  Batcher *b = calloc(1, sizeof(Batcher));
  if (b == NULL) return throw_error(env, "attach: out of memory");
  b->env = env;
  b->fd = dup(fd);
  if (b->fd < 0) {
    free(b);
    return throw_error(env, "attach: cannot duplicate the socket");
  }
  if (enable_pktinfo(b) != 0) {
    close(b->fd);
    free(b);
    return throw_error(env, "attach: cannot read the destination address of datagrams (IP_PKTINFO) on this socket");
  }
  napi_value input, output, meta;
  if (!shared_buffer(env, (size_t)BATCH * SLOT, &b->in, &input) ||
      !shared_buffer(env, (size_t)BATCH * SLOT, &b->out, &output) ||
      !shared_buffer(env, (size_t)BATCH * META_INTS * sizeof(int32_t), (uint8_t **)&b->meta, &meta)) {
    close(b->fd);
    free(b);
    return throw_error(env, "attach: out of memory");
  }
  point_receive(b->recv_msgs, b->recv_iov, b->in, b->peers, b->recv_control, b->pktinfo);

  napi_value resource, resource_name;
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, "clusterdns:udp-batch", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, resource, resource_name, &b->async_context);
  napi_create_reference(env, resource, 1, &b->resource);
  napi_create_reference(env, argv[1], 1, &b->on_batch);

  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  b->poll = malloc(sizeof(uv_poll_t));
  if (loop == NULL || b->poll == NULL || uv_poll_init(loop, b->poll, b->fd) != 0) {
    free(b->poll);
    close(b->fd);
    free(b);
    return throw_error(env, "attach: cannot watch the socket");
  }
  b->poll->data = b;
  b->misses = malloc(sizeof(uv_async_t));
  if (b->misses == NULL || uv_async_init(loop, b->misses, on_misses) != 0) {
    free(b->misses);
    uv_close((uv_handle_t *)b->poll, free_handle);
    close(b->fd);
    free(b);
    return throw_error(env, "attach: cannot watch the socket");
  }
  b->misses->data = b;
  // Only a stand-in's leftovers wake it: it never keeps the process alive.
  uv_unref((uv_handle_t *)b->misses);
  pthread_mutex_init(&b->lock, NULL);
  uv_poll_start(b->poll, UV_READABLE, on_readable);

  napi_value result, value, close_fn, address_fn, send_fn;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "input", input);
  napi_set_named_property(env, result, "output", output);
  napi_set_named_property(env, result, "meta", meta);
  napi_create_int32(env, BATCH, &value);
  napi_set_named_property(env, result, "batch", value);
  napi_create_int32(env, SLOT, &value);
  napi_set_named_property(env, result, "slot", value);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, close_batcher, b, &close_fn);
  napi_set_named_property(env, result, "close", close_fn);
  napi_create_function(env, "address", NAPI_AUTO_LENGTH, peer_address, b, &address_fn);
  napi_set_named_property(env, result, "address", address_fn);
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, send_late, b, &send_fn);
  napi_set_named_property(env, result, "send", send_fn);
  napi_create_function(env, "standIn", NAPI_AUTO_LENGTH, stand_in, b, &send_fn);
  napi_set_named_property(env, result, "standIn", send_fn);
  napi_create_function(env, "standDown", NAPI_AUTO_LENGTH, stand_down, b, &send_fn);
  napi_set_named_property(env, result, "standDown", send_fn);
  napi_create_function(env, "answeredSoFar", NAPI_AUTO_LENGTH, answered_so_far, b, &send_fn);
  napi_set_named_property(env, result, "answeredSoFar", send_fn);
  napi_create_function(env, "replaceTable", NAPI_AUTO_LENGTH, replace_table, b, &send_fn);
  napi_set_named_property(env, result, "replaceTable", send_fn);
  napi_get_boolean(env, b->pktinfo != 0, &value);
  napi_set_named_property(env, result, "replySource", value);
  napi_add_finalizer(env, result, b, free_batcher, NULL, NULL);
  return result;
}

// Give the C heap's free memory back to the system (glibc's malloc_trim):
// after a big load, freed blocks in malloc's arenas (Node's threads each
// have one) stay resident otherwise. Returns whether anything was released;
// false where the C library has no such call (musl).
static napi_value trim_memory(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released != 0, &result);
  return result;
}

// Cap the number of glibc malloc arenas (mallopt M_ARENA_MAX). glibc gives
// each thread that allocates its own arena, up to 8 per core, and each keeps
// its freed blocks resident: during a big load Node's GC and compiler threads
// hold several MB that way. Takes effect for threads that have not yet had
// an arena, so it is called first thing. False where there is no such
// setting (musl has no per-thread arenas).
static napi_value limit_malloc_arenas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t arenas = 0;
  int set = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == 1 && napi_get_value_int32(env, argv[0], &arenas) == napi_ok && arenas > 0) {
#ifdef __GLIBC__
    set = mallopt(M_ARENA_MAX, arenas);
#endif
  }
  napi_value result;
  napi_get_boolean(env, set != 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn, trim_fn, arenas_fn;
  napi_create_function(env, "trimMemory", NAPI_AUTO_LENGTH, trim_memory, NULL, &trim_fn);
  napi_set_named_property(env, exports, "trimMemory", trim_fn);
  napi_create_function(env, "limitMallocArenas", NAPI_AUTO_LENGTH, limit_malloc_arenas, NULL, &arenas_fn);
  napi_set_named_property(env, exports, "limitMallocArenas", arenas_fn);
  napi_create_function(env, "attach", NAPI_AUTO_LENGTH, attach, NULL, &fn);
  napi_set_named_property(env, exports, "attach", fn);
  return exports;
}
