#include "workflow_fixtures.h"

#include <yaml.h>

#include <QProcess>

#include <cstdio>
#include <memory>

#include "fixtures.h"

namespace gz::test {
namespace fs = std::filesystem;

void writeSlurmStandIns(const fs::path& dir) {
    writeText(dir / "srun",
              "#!/bin/bash\n"
              "# srun's stand-in: the options are dropped, the command runs here as one task.\n"
              "while [[ $# -gt 0 && $1 == --* ]]; do shift; done\n"
              "export SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0\n"
              "exec \"$@\"\n");
    writeText(dir / "scontrol",
              "#!/bin/bash\n"
              "# scontrol's stand-in: two emulated nodes whose names do not resolve.\n"
              "case \"$1 $2\" in\n"
              "    'show hostnames') printf 'node-a\\nnode-b\\n' ;;\n"
              "    'show node') printf 'NodeName=%s Arch=x86_64 CoresPerSocket=1\\n"
              "   NodeAddr=127.0.0.1 NodeHostName=localhost Version=22.05.8\\n' \"$3\" ;;\n"
              "    *) echo \"scontrol stand-in: unexpected: $*\" >&2; exit 1 ;;\n"
              "esac\n");
    for (const char* name : {"srun", "scontrol"})
        fs::permissions(dir / name, fs::perms::owner_all | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read |
                                        fs::perms::others_exec);
}

QProcessEnvironment environmentWithPath(const fs::path& binDir) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PATH", q(binDir) + ":" + env.value("PATH"));
    return env;
}

ScriptResult runBash(const fs::path& script, const QProcessEnvironment& env, int timeoutMs,
                     const QStringList& bashOptions) {
    return runProgram("bash", bashOptions + QStringList{q(script)}, timeoutMs, &env);
}

namespace {

QVariant toVariant(yaml_document_t* doc, yaml_node_t* node) {
    if (!node) return {};
    switch (node->type) {
        case YAML_SCALAR_NODE:
            return QString::fromUtf8(reinterpret_cast<const char*>(node->data.scalar.value),
                                     static_cast<qsizetype>(node->data.scalar.length));
        case YAML_SEQUENCE_NODE: {
            QVariantList list;
            for (yaml_node_item_t* i = node->data.sequence.items.start;
                 i < node->data.sequence.items.top; ++i)
                list.push_back(toVariant(doc, yaml_document_get_node(doc, *i)));
            return list;
        }
        case YAML_MAPPING_NODE: {
            QVariantMap map;
            for (yaml_node_pair_t* p = node->data.mapping.pairs.start;
                 p < node->data.mapping.pairs.top; ++p)
                map.insert(toVariant(doc, yaml_document_get_node(doc, p->key)).toString(),
                           toVariant(doc, yaml_document_get_node(doc, p->value)));
            return map;
        }
        case YAML_NO_NODE:
            break;
    }
    return {};
}

}  // namespace

QVariant readYaml(const fs::path& file, QString* error) {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!in) {
        *error = "cannot open " + q(file);
        return {};
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, in.get());
    yaml_document_t doc;
    QVariant result;
    if (!yaml_parser_load(&parser, &doc)) {
        *error = QString("%1:%2: %3")
                     .arg(q(file))
                     .arg(parser.problem_mark.line + 1)
                     .arg(parser.problem ? parser.problem : "invalid YAML");
    } else {
        result = toVariant(&doc, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return result;
}

}  // namespace gz::test
