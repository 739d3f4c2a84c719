# The hotline server. Runs TypeScript through tsx (docs/adr/0001-stack-and-runtime.md).
# The same image renders asterisk-config/generated (scripts/asterisk-render.ts) in docker-compose.yml.
# The browser app (softphone/) is built in a stage of its own: vite is a dev dependency.
FROM node:20-bookworm-slim AS softphone
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY softphone ./softphone
RUN npx vite build --config softphone/vite.config.ts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY ivr-flows ./ivr-flows
COPY scripts ./scripts
COPY tsconfig.json ./
COPY --from=softphone /build/softphone/dist ./softphone/dist
# Mount point of the volume asterisk-generated: a new named volume takes this folder's owner.
RUN mkdir -p /app/var/asterisk && chown node:node /app/var/asterisk
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node_modules/.bin/tsx", "src/main.ts"]
