package clickledger.api.webhook;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The answer of create and rotate-secret: the endpoint plus its signing secret, the only time the
 * secret is ever shown.
 */
public record WebhookWithSecret(@JsonUnwrapped WebhookEndpoint endpoint, String secret) {}
