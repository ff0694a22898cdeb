package clickledger.router.redirect;

import java.nio.ByteBuffer;

/**
 * How a redirect's answer leaves, whichever HTTP layer carries it. Exactly one of the methods is
 * called once per request, on any thread (a 302 from the click writer that made its click durable).
 * Every answer carries {@code Cache-Control: no-store}.
 */
public interface Answer {
    /**
     * A final answer with a body (a page, a problem, a plain text).
     *
     * @param header an extra header's name ({@code Retry-After}, {@code Allow}), or null
     * @param value that header's value
     */
    void page(int status, String contentType, ByteBuffer body, String header, String value);

    /**
     * The 302.
     *
     * @param cookie the {@code Set-Cookie} value, or null for none
     * @param written run once the answer is written, or null
     */
    void found(String location, String cookie, Runnable written);
}
