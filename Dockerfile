# One image for every node; SERVICES picks what a container runs.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json moleculer.config.ts ./
COPY broker broker
COPY cluster cluster
COPY config config
COPY db db
COPY framework framework
COPY mixins mixins
COPY node node
COPY services services
COPY types types
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The gateway's pages: HTML, CSS and browser scripts, which tsc does not copy.
COPY --from=build /app/services/api/public services/api/public
USER node
CMD ["node", "dist/node/main.js"]
