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

/** A PostgreSQL index built for a declared index, and its state: building, ready, failed or dropping. */
@Entity
@Table(name = "doc_index")
public class IndexEntity extends PanacheEntityBase {

    public static final String BUILDING = "building";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String DROPPING = "dropping";

    @Id
    public String physical;

    @Column(name = "table_name", nullable = false)
    public String tableName;

    @Column(nullable = false)
    public String name;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> fields;

    @Column(nullable = false)
    public String state;

    public String error;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "ready_at")
    public OffsetDateTime readyAt;

    /** Indexes that exist or are being built (not those being dropped), by table then name. */
    public static List<IndexEntity> live() {
        return list("state <> ?1 order by tableName, name", DROPPING);
    }
}
