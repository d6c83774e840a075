package io.docshift.schema;

import io.docshift.document.store.TableRegistry;
import io.docshift.schema.index.IndexNames;
import io.docshift.schema.store.IndexEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.Map;

/**
 * Brings the index catalogue in line with a schema being activated, in the activation's transaction: new or
 * changed indexes become {@code building}, removed or replaced ones {@code dropping}. The builds and drops
 * themselves happen after commit, outside any transaction.
 */
@ApplicationScoped
public class IndexActivation {

    @Inject
    TableRegistry tables;

    public void reconcile(Schema next) {
        Map<String, IndexEntity> live = new HashMap<>();
        for (IndexEntity e : IndexEntity.live()) {
            live.put(e.tableName + "\0" + e.name, e);
        }
        for (TableSchema t : next.tables().values()) {
            int number = tables.getOrCreate(t.name()).number();
            for (IndexSpec spec : t.indexes()) {
                String physical = IndexNames.physical(number, spec);
                IndexEntity existing = live.remove(t.name() + "\0" + spec.name());
                if (existing != null && existing.physical.equals(physical)) {
                    if (IndexEntity.FAILED.equals(existing.state)) {
                        existing.state = IndexEntity.BUILDING; // a new version retries a failed build
                        existing.error = null;
                    }
                    continue;
                }
                if (existing != null) {
                    existing.state = IndexEntity.DROPPING;
                    IndexEntity.flush(); // before the insert: one live row per (table, name)
                }
                build(physical, t.name(), spec);
            }
        }
        for (IndexEntity removed : live.values()) {
            removed.state = IndexEntity.DROPPING;
        }
        IndexEntity.flush();
    }

    /**
     * Starts building the indexes {@code next} adds, dropping nothing: while a transition runs, the active
     * version's indexes keep serving, and the new ones are ready when the target version activates. An index
     * whose fields change keeps its old definition until {@link #reconcile} at activation.
     */
    public void add(Schema next) {
        java.util.Set<String> live = new java.util.HashSet<>();
        IndexEntity.live().forEach(e -> live.add(e.tableName + "\0" + e.name));
        for (TableSchema t : next.tables().values()) {
            int number = tables.getOrCreate(t.name()).number();
            for (IndexSpec spec : t.indexes()) {
                if (live.contains(t.name() + "\0" + spec.name())) {
                    continue;
                }
                String physical = IndexNames.physical(number, spec);
                build(physical, t.name(), spec);
            }
        }
    }

    /** Marks {@code physical} to be built, reviving its row if an earlier version had it. */
    private static void build(String physical, String table, IndexSpec spec) {
        IndexEntity e = IndexEntity.findById(physical);
        if (e == null) {
            e = new IndexEntity();
            e.physical = physical;
            e.tableName = table;
            e.name = spec.name();
            e.fields = spec.fields();
        }
        e.state = IndexEntity.BUILDING;
        e.error = null;
        e.persistAndFlush();
    }
}
