package io.docshift.schema.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** A schema version as stored: the document as pushed, its canonical hash and the changes it brought. */
@Entity
@Table(name = "schema_version")
public class SchemaVersionEntity extends PanacheEntityBase {

    @Id
    public int version;

    @Column(nullable = false)
    public String hash;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String source;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String changes;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "activated_at")
    public OffsetDateTime activatedAt;

    public static Optional<SchemaVersionEntity> findVersion(int version) {
        return findByIdOptional(version);
    }

    public static List<SchemaVersionEntity> allVersions() {
        return list("order by version");
    }

    /** Whether some version ever had this content. */
    public static boolean hashSeen(String hash) {
        return count("hash", hash) > 0;
    }

    public static int nextVersion() {
        Integer max = getEntityManager().createQuery("select max(v.version) from SchemaVersionEntity v", Integer.class).getSingleResult();
        return max == null ? 1 : max + 1;
    }
}
