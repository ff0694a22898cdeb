# syntax=docker/dockerfile:1
# One image per service, from one build: docker build --target api|router|portal .
# compose.yaml builds all three.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
# The Maven cache survives between builds, so only changed modules cost time.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl api,router,portal -am package -DskipTests

FROM eclipse-temurin:21-jre AS runtime
# curl is for the health checks; nothing else is added to the JRE image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app clickledger \
    && mkdir -p /app /var/lib/clickledger/spool /var/lib/clickledger/storage \
    && chown clickledger /var/lib/clickledger/spool /var/lib/clickledger/storage
WORKDIR /app
USER clickledger
# Heap from the container's memory limit; JSON logs for the log collector.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75" \
    LOG_FORMAT=json

FROM runtime AS api
COPY --from=build /src/api/target/api.jar /app/api.jar
ENV API_PORT=4601 \
    STORAGE_DIR=/var/lib/clickledger/storage
EXPOSE 4601
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS "http://localhost:${API_PORT}/healthz" || exit 1
ENTRYPOINT ["java", "-jar", "/app/api.jar"]

FROM runtime AS router
COPY --from=build /src/router/target/router.jar /app/router.jar
ENV ROUTER_PORT=4701 \
    CLICK_SPOOL_DIR=/var/lib/clickledger/spool
EXPOSE 4701
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS "http://localhost:${ROUTER_PORT}/healthz" || exit 1
ENTRYPOINT ["java", "-jar", "/app/router.jar"]

FROM runtime AS portal
COPY --from=build /src/portal/target/portal.jar /app/portal.jar
ENV PORTAL_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://localhost:${PORTAL_PORT}/healthz" || exit 1
ENTRYPOINT ["java", "-jar", "/app/portal.jar"]
