package clickledger.api.branding;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * A program logo as it is stored and served: always re-encoded by the api, never the uploaded
 * bytes. The type is decided by the file's first bytes, not by its name or Content-Type; PNG, JPEG
 * and GIF are decoded (with the dimensions checked before any pixel is), scaled down to fit
 * {@value #MAX_SIDE} pixels, and written again as PNG (JPEG stays JPEG). Whatever rode along in the
 * upload (metadata, a script appended to make a polyglot, a second frame) is gone. SVG is refused:
 * it is a document that can carry scripts, not a picture.
 */
public record LogoImage(byte[] bytes, String contentType, int width, int height) {
    /** The largest upload taken: a logo is a few dozen KB; this leaves room for a large PNG. */
    public static final int MAX_UPLOAD_BYTES = 512 * 1024;
    /** Uploads wider or taller than this are refused before they are decoded. */
    public static final int MAX_SOURCE_SIDE = 4096;
    /** The stored logo fits in this square: sharp at the sizes portals and mails show it (up to 256 px at 2x). */
    public static final int MAX_SIDE = 512;

    public static final String FIELD = "logo";

    public LogoImage {
        requireNonNull(bytes, "bytes is null");
        requireNonNull(contentType, "contentType is null");
    }

    enum Kind {
        PNG,
        JPEG,
        GIF
    }

    /** Checks and re-encodes an upload; every refusal is a 400 naming the field {@value #FIELD}. */
    public static LogoImage from(byte[] upload) {
        if (upload.length == 0) {
            throw ApiException.badRequest(FIELD, "is empty; send the image as the request body");
        }
        if (upload.length > MAX_UPLOAD_BYTES) {
            String message = "is " + upload.length + " bytes; a logo may be at most " + MAX_UPLOAD_BYTES + " bytes";
            throw new ApiException(
                    413,
                    "body_too_large",
                    "Payload too large",
                    FIELD + ": " + message,
                    java.util.List.of(new ApiException.FieldError(FIELD, message)));
        }
        Kind kind = sniff(upload);
        BufferedImage image = decode(upload, kind);
        BufferedImage scaled = fit(image, kind == Kind.JPEG);
        return kind == Kind.JPEG
                ? new LogoImage(jpeg(scaled), "image/jpeg", scaled.getWidth(), scaled.getHeight())
                : new LogoImage(png(scaled), "image/png", scaled.getWidth(), scaled.getHeight());
    }

    /** The type by the file's magic bytes. */
    static Kind sniff(byte[] data) {
        if (startsWith(data, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Kind.PNG;
        }
        if (startsWith(data, 0xFF, 0xD8, 0xFF)) {
            return Kind.JPEG;
        }
        if (startsWith(data, 'G', 'I', 'F', '8', '7', 'a') || startsWith(data, 'G', 'I', 'F', '8', '9', 'a')) {
            return Kind.GIF;
        }
        if (startsWith(data, 'R', 'I', 'F', 'F') && data.length >= 12 && data[8] == 'W' && data[9] == 'E') {
            throw ApiException.badRequest(FIELD, "is WebP, which is not taken; upload a PNG, JPEG or GIF");
        }
        String head = new String(data, 0, Math.min(data.length, 256), java.nio.charset.StandardCharsets.ISO_8859_1)
                .stripLeading()
                .toLowerCase(java.util.Locale.ROOT);
        if (head.startsWith("<")) {
            throw ApiException.badRequest(
                    FIELD, "is SVG or HTML, which is not taken (it can carry scripts); upload a PNG, JPEG or GIF");
        }
        throw ApiException.badRequest(FIELD, "is not a PNG, JPEG or GIF image (judged by its content, not its name)");
    }

    private static boolean startsWith(byte[] data, int... magic) {
        if (data.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((data[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static BufferedImage decode(byte[] data, Kind kind) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw unreadable(kind);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width > MAX_SOURCE_SIDE || height > MAX_SOURCE_SIDE) {
                    throw ApiException.badRequest(
                            FIELD,
                            "is " + width + "x" + height + " pixels; at most " + MAX_SOURCE_SIDE + " on each side");
                }
                BufferedImage image = reader.read(0);
                if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
                    throw unreadable(kind);
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            // A truncated or crafted file: ImageIO throws IIOException, or worse, a runtime
            // exception from deep in a decoder. Either way it is the upload that is bad.
            throw unreadable(kind);
        }
    }

    private static ApiException unreadable(Kind kind) {
        return ApiException.badRequest(FIELD, "starts like a " + kind + " but cannot be read as one");
    }

    /** Scaled down to fit {@link #MAX_SIDE} (never up), on a fresh canvas: nothing of the source's colour model survives. */
    private static BufferedImage fit(BufferedImage source, boolean opaque) {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(source.getWidth(), source.getHeight()));
        int width = Math.max(1, (int) Math.round(source.getWidth() * scale));
        int height = Math.max(1, (int) Math.round(source.getHeight() * scale));
        BufferedImage target =
                new BufferedImage(width, height, opaque ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
        Graphics2D graphics = target.createGraphics();
        try {
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            if (opaque) {
                graphics.setColor(java.awt.Color.WHITE);
                graphics.fillRect(0, 0, width, height);
            }
            graphics.drawImage(source, 0, 0, width, height, null);
        } finally {
            graphics.dispose();
        }
        return target;
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JRE");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
