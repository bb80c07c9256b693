# riskgate on the current Node.js LTS: built in one stage, run as a non-root user in another.
# The rule set and the IP data are volumes: edit the rules and send SIGHUP (or POST
# /v1/rules/reload), replace a database file: the running service picks them up.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bench ./bench
COPY bin ./bin
COPY data ./data
# npm ci runs `prepare`: the TypeScript build and the ASN database (data/build/asn.mmdb)
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    RISKGATE_HOST=0.0.0.0 \
    RISKGATE_PORT=8080 \
    RISKGATE_RULES_DIR=/etc/riskgate/rules
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/bin ./bin
# the analyst console's page, scripts and styles, served as they are (no build step)
COPY --from=build /app/src/console/public ./src/console/public
# the default rule set, for a first run; mount your own over it
COPY rules /etc/riskgate/rules
VOLUME ["/etc/riskgate/rules", "/var/lib/riskgate"]
USER node
EXPOSE 8080
# ready: rules and data loaded, the store reachable (a degraded store still answers 200)
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.RISKGATE_PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/riskgate-server.mjs"]
