# lit configuration for snn-mlir: one file per pass, translation and dialect.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "snn-mlir"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.snn_obj_root, "tests", "lit")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    [ToolSubst("snn-opt", unresolved="fatal"),
     ToolSubst("snn-translate", unresolved="fatal"),
     ToolSubst("onnx-fixture", unresolved="fatal")],
    [config.snn_tools_dir])

# ONNX's own node conformance models (Debian package libonnx-testdata).
config.substitutions.append(("%onnx_testdata", "/usr/share/libonnx-testdata/data"))
