# syntax=docker/dockerfile:1
#
# clusterdns in a container: answers like a Kubernetes cluster's DNS from the
# manifests mounted at /manifests, on port 53 (UDP+TCP), admin HTTP on 8080.
#
#   docker build -t clusterdns .
#   docker run --rm -p 1053:53/udp -p 1053:53/tcp -p 8080:8080 \
#     -v "$PWD/manifests:/manifests:ro" clusterdns
#   dig @127.0.0.1 -p 1053 userlist-svc.user03.svc.cluster.local
#
# Port 53 as a non-root user: the process has no capabilities; binding below
# 1024 works because the container's network namespace has
# net.ipv4.ip_unprivileged_port_start=0. Docker (20.10+) and Podman set that
# by default for every container with its own network; for other runtimes pass
# `--sysctl net.ipv4.ip_unprivileged_port_start=0` (compose: `sysctls:`,
# Kubernetes: securityContext.sysctls, a "safe" sysctl). With --network host
# the host's setting applies: add `--port 1053` to the command instead.
# (Why not `setcap cap_net_bind_service` on node: a file capability makes the
# binary fail to start under `--cap-drop ALL`, and is ignored under
# no-new-privileges; the sysctl needs neither.)

# Node 24, the current LTS, on Debian 12 slim for every stage. Why Debian and
# not Alpine: the image that ships is the image that is tested (the container
# suite and CI build from the same Debian base), glibc is what the batched UDP
# module is developed and tested against on the host, and the build stage
# needs apt's compiler anyway. Size: about 80 MB more than Alpine; no shell
# tools beyond Debian's minimal set.

# 1. Build with the dev dependencies (TypeScript).
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# The batched-UDP native module (src/native/udp_batch.c; without it serve
# falls back to node:dgram, about 4x slower). Built against the image's own
# Node headers; only the .node file is copied into the image.
COPY binding.gyp ./
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && npm run build:native -- --nodedir=/usr/local

# 2. The production dependencies alone.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. The image: node, the compiled code, its dependencies. npm and yarn are
# removed: nothing at run time needs them.
FROM node:24-bookworm-slim
# No V8 flags: `serve` keeps the young generation small itself (src/cli/heap.ts);
# a NODE_OPTIONS=--max-semi-space-size=N here would take precedence over that.
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/build/Release/udp_batch.node ./build/Release/udp_batch.node
# The example cluster, so `docker run clusterdns` answers something; mount your own over it.
COPY manifests /manifests
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && chmod 0755 /app/dist/cli.js \
 && ln -s /app/dist/cli.js /usr/local/bin/clusterdns \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid nonroot --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
USER 65532:65532

EXPOSE 53/udp 53/tcp 8080
# /ready: 503 until the manifests are loaded and port 53 is bound, so
# `depends_on: condition: service_healthy` waits for answers. No curl needed.
# --timeout=10s: the check starts a Node process, which on a loaded CI
# machine took over 3 s (Docker's own default timeout is 30 s).
HEALTHCHECK --interval=10s --timeout=10s --start-period=10s --retries=3 \
  CMD ["clusterdns", "health", "--http", "http://127.0.0.1:8080/ready"]
# SIGTERM (docker stop) closes the listeners and exits 0 at once.
STOPSIGNAL SIGTERM
ENTRYPOINT ["clusterdns"]
CMD ["serve", "-f", "/manifests", "--bind", "0.0.0.0", "--port", "53", "--http", "0.0.0.0:8080", "--watch", "--log-format", "json"]
