FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY src ./src
COPY data ./data
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY bench ./bench
# npm ci runs `prepare`: the TypeScript build and the ASN database build (data/build/asn.mmdb)
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production RISKGATE_HOST=0.0.0.0 RISKGATE_PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/bin ./bin
# the analyst console's page, scripts and styles, served as they are (no build step)
COPY --from=build /app/src/console/public ./src/console/public
COPY package.json ./
COPY rules ./rules
USER node
EXPOSE 8080
CMD ["node", "dist/riskgate-server.mjs"]
