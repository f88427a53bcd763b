#pragma once
// What the workflow tests share: stand-ins for Slurm's srun and scontrol, so that a generated
// batch script runs here as it would in a one-task job; running a script; a YAML file read
// with libyaml into Qt's variant types.

#include <QProcessEnvironment>
#include <QString>
#include <QVariant>

#include <filesystem>

#include "fixtures.h"

namespace gz::test {

/// Writes `srun` and `scontrol` into `dir` (use it first on PATH). srun drops its options and
/// runs the command as one task (SLURM_PROCID 0 of SLURM_NTASKS 1); `scontrol show hostnames`
/// prints node-a and node-b, `scontrol show node X` a node record whose NodeAddr is 127.0.0.1.
void writeSlurmStandIns(const std::filesystem::path& dir);

/// The test's environment with `binDir` first on PATH.
QProcessEnvironment environmentWithPath(const std::filesystem::path& binDir);

using ScriptResult = CliResult;
/// Runs `bash <script>` in `env` and waits (up to timeoutMs).
ScriptResult runBash(const std::filesystem::path& script, const QProcessEnvironment& env,
                     int timeoutMs = 120000, const QStringList& bashOptions = {});

/// A YAML document as QVariantMap / QVariantList / QString (every scalar as its text), parsed
/// by libyaml; an invalid QVariant with `error` set when the file is not valid YAML.
QVariant readYaml(const std::filesystem::path& file, QString* error);

}  // namespace gz::test
