package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Where the worker hands a message: an SMTP server, or .eml files on disk without SMTP_URL. */
interface MailTransport extends AutoCloseable {
    /**
     * One message to send.
     *
     * @param messageId the Message-ID header's local part, the same at every attempt, so receivers
     *     that drop duplicates by Message-ID can
     */
    record Envelope(
            String messageId, String kind, String to, String subject, String text, String html, List<String> links) {
        public Envelope {
            requireNonNull(messageId, "messageId is null");
            requireNonNull(to, "to is null");
            links = List.copyOf(links);
        }

        @Override
        public String toString() {
            return "Envelope[" + messageId + ", " + kind + "]";
        }
    }

    /** Why a message did not go. */
    final class SendFailure extends Exception {
        private final boolean permanent;

        /** @param permanent retrying cannot help (the server refused the address for good: a 5xx reply) */
        SendFailure(String message, boolean permanent, Throwable cause) {
            super(message, cause);
            this.permanent = permanent;
        }

        boolean permanent() {
            return permanent;
        }
    }

    void send(Envelope envelope) throws SendFailure;

    /** What the settings page shows: {@code smtp} or {@code files}. */
    String name();

    @Override
    default void close() {}
}
