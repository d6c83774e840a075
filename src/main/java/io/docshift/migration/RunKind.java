package io.docshift.migration;

import io.docshift.migration.step.Step;

import java.util.List;

/**
 * What a run does besides applying its migration once over the table.
 *
 * @param runId         the run
 * @param targetVersion for a transition's sweep: the schema version every document is brought to (documents
 *                      below it are migrated, pass after pass, until none is left); for a rollback of a
 *                      transition's run: the version documents return to; else {@code null}
 * @param backup        save each changed body first, in the same transaction
 * @param rollbackOf    the run this run rolls back, or {@code null}
 * @param rolledTarget  for a rollback of a transition's run: the version that run brought documents to
 * @param inverse       for a rollback: the steps that bring a document written since back to the old shape
 */
record RunKind(long runId, Integer targetVersion, boolean backup, Long rollbackOf, Integer rolledTarget, List<Step> inverse) {

    static RunKind plain(long runId) {
        return new RunKind(runId, null, false, null, null, List.of());
    }

    boolean sweep() {
        return targetVersion != null && rollbackOf == null;
    }

    boolean rollback() {
        return rollbackOf != null;
    }
}
