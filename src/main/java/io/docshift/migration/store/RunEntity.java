package io.docshift.migration.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A run of a migration and its committed progress. Workers update it with plain SQL inside each batch. */
@Entity
@Table(name = "migration_run")
public class RunEntity extends PanacheEntityBase {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String migration;

    @Column(nullable = false)
    public String checksum;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String args;

    @Column(nullable = false)
    public String state;

    public UUID position;
    public long processed;
    public long changed;
    public long total;

    @Column(name = "max_documents")
    public Long maxDocuments;

    @Column(name = "batch_size")
    public int batchSize;

    public String owner;

    @Column(name = "heartbeat_at")
    public OffsetDateTime heartbeatAt;

    @Column(name = "error_id")
    public String errorId;

    @Column(name = "error_message")
    public String errorMessage;

    @Column(name = "requested_at", insertable = false, updatable = false)
    public OffsetDateTime requestedAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** The schema transition this run sweeps for, if any. */
    @Column(name = "transition_id")
    public Long transitionId;

    /** For a transition's sweep, the version it brings documents to; for its rollback, the version they return to. */
    @Column(name = "target_version")
    public Integer targetVersion;

    /** Whether the run saves each body before changing it. */
    public boolean backup;

    /** The run this run rolls back, if it is a rollback. */
    @Column(name = "rollback_of")
    public Long rollbackOf;

    public static List<RunEntity> ofMigration(String migration) {
        return list("migration = ?1 order by id desc", migration);
    }

    public static Optional<RunEntity> latest(String migration) {
        return find("migration = ?1 order by id desc", migration).firstResultOptional();
    }

    /** The last complete (not partial) run, the seed's _migrationLog check. */
    public static Optional<RunEntity> completed(String migration) {
        return find("migration = ?1 and state = ?2 and maxDocuments is null and rollbackOf is null order by id desc", migration, COMPLETED).firstResultOptional();
    }

    /** The rollback of run {@code id} that is done or under way (a failed or cancelled one does not count). */
    public static Optional<RunEntity> rollbackOf(long id) {
        return find("rollbackOf = ?1 and state in (?2, ?3, ?4)", id, PENDING, RUNNING, COMPLETED).firstResultOptional();
    }

    /** The runs of a transition (sweeps first, then rollbacks), in id order. */
    public static List<RunEntity> ofTransition(long transitionId) {
        return list("transitionId = ?1 order by id", transitionId);
    }

    public static Optional<RunEntity> active(String migration) {
        return find("migration = ?1 and state in (?2, ?3) order by id", migration, PENDING, RUNNING).firstResultOptional();
    }

    /** Finished runs, newest first: the migration log. */
    public static List<RunEntity> finished() {
        return list("state in (?1, ?2, ?3) order by finishedAt desc nulls last, id desc", COMPLETED, FAILED, CANCELLED);
    }
}
