# syntax=docker/dockerfile:1
#
# quotagraph's container image.
#
#   docker build -t quotagraph:latest .
#   docker run --rm -p 4000:4000 quotagraph:latest           # embedded store with the demo data
#   docker run --rm quotagraph:latest serve --store kubernetes  # what deploy/deployment.yaml runs
#
# Two stages on the same base, so the native better-sqlite3 module built in the first runs in the
# second: `build` compiles (dev dependencies, compilers), `runtime` gets only the production
# node_modules, the compiled dist/, bin/ and the demo data, and runs as the unprivileged uid 10001.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary fits; node-gyp needs these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first: this layer is reused until package.json or the lock file changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsc -p tsconfig.build.json: src/ → dist/src/ (bin/quotagraph.js runs dist/src/main.js when present).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# HOST: listen on every interface; 127.0.0.1 (the default outside a container) is unreachable
# from outside the container. Flags (--host, --port) still win over these.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# uid/gid 10001, matching deploy/deployment.yaml's runAsUser. /app/data is where the default
# embedded store (sqlite:./data/quotagraph.db) lives; the kubernetes store writes nothing locally.
RUN groupadd --system --gid 10001 quotagraph \
 && useradd --system --uid 10001 --gid quotagraph --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin quotagraph \
 && install -d -o 10001 -g 10001 /app/data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY demo ./demo
USER 10001:10001
EXPOSE 4000
ENTRYPOINT ["node", "bin/quotagraph.js"]
CMD ["serve"]
