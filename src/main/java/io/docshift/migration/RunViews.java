package io.docshift.migration;

import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs as the API shows them: each with the completed rollback that took it back, looked up once per list. */
@ApplicationScoped
public class RunViews {

    @Inject
    RunRepository runs;

    public RunView of(Run run) {
        return of(List.of(run)).get(0);
    }

    public List<RunView> of(List<Run> list) {
        Map<Long, Long> rolledBack = runs.rolledBack(list.stream().map(Run::id).toList());
        return list.stream().map(r -> RunView.of(r, rolledBack.get(r.id()))).toList();
    }

    /** The latest run of each of {@code migrations} that ever ran, by migration. */
    public Map<String, RunView> latest(List<String> migrations) {
        Map<String, RunView> out = new HashMap<>();
        of(migrations.stream().map(runs::latest).flatMap(Optional::stream).toList()).forEach(v -> out.put(v.migration(), v));
        return out;
    }

    /**
     * A migration's state as status shows it: its latest run's, except that a migration whose latest run is a
     * completed rollback reads {@code rolledBack} (its data is as before it ran); null when it never ran.
     */
    public static String migrationState(RunView latest) {
        if (latest == null) {
            return null;
        }
        return latest.rollbackOf() != null && "completed".equals(latest.state()) ? RunView.ROLLED_BACK : latest.state();
    }
}
