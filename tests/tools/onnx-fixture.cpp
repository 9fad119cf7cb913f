//===- onnx-fixture.cpp - build binary ONNX test models from text ---------===//
//
// Test infrastructure: parses an ONNX text model and writes the binary
// ModelProto, optionally altered in ways the text syntax cannot express, so
// that importer tests can build their own fixtures:
//   --name-nodes         name every node after its first output
//   --short-data NAME    drop the last element of initializer NAME
//   --nan-data NAME      make the last element of initializer NAME a NaN
//   --external NAME      move initializer NAME's data into NAME.bin next to
//                        the output (external data)
//   --external-path P    the location to record for --external (default
//                        NAME.bin), e.g. an absolute or ../ path
//
//===----------------------------------------------------------------------===//

#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>

static int usage() {
  std::cerr << "usage: onnx-fixture IN.onnxtext OUT.onnx [--name-nodes] "
               "[--short-data NAME] [--nan-data NAME] [--external NAME "
               "[--external-path P]]\n";
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return usage();
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "onnx-fixture: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  onnx::ModelProto model;
  try {
    auto status = onnx::OnnxParser::Parse(model, text.str().c_str());
    if (!status.IsOK()) {
      std::cerr << "onnx-fixture: " << status.ErrorMessage() << "\n";
      return 1;
    }
  } catch (const std::exception &e) { // the parser's std::stof
    std::cerr << "onnx-fixture: malformed text (" << e.what() << ")\n";
    return 1;
  }
  std::string out = argv[2], externalName, externalPath;
  for (int i = 3; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--name-nodes") {
      for (auto &node : *model.mutable_graph()->mutable_node())
        if (node.output_size() > 0)
          node.set_name(node.output(0));
    } else if (flag == "--short-data" && i + 1 < argc) {
      std::string name = argv[++i];
      for (auto &t : *model.mutable_graph()->mutable_initializer())
        if (t.name() == name && t.float_data_size() > 0)
          t.mutable_float_data()->RemoveLast();
    } else if (flag == "--nan-data" && i + 1 < argc) {
      std::string name = argv[++i];
      for (auto &t : *model.mutable_graph()->mutable_initializer())
        if (t.name() == name && t.float_data_size() > 0)
          t.set_float_data(t.float_data_size() - 1,
                           std::numeric_limits<float>::quiet_NaN());
    } else if (flag == "--external" && i + 1 < argc) {
      externalName = argv[++i];
    } else if (flag == "--external-path" && i + 1 < argc) {
      externalPath = argv[++i];
    } else {
      return usage();
    }
  }
  if (!externalName.empty()) {
    for (auto &t : *model.mutable_graph()->mutable_initializer()) {
      if (t.name() != externalName)
        continue;
      std::string bytes(t.float_data_size() * sizeof(float), '\0');
      std::memcpy(bytes.data(), t.float_data().data(), bytes.size());
      t.clear_float_data();
      std::string file = externalName + ".bin";
      std::string dir = out.substr(0, out.find_last_of('/') + 1);
      std::ofstream(dir + file, std::ios::binary) << bytes;
      t.set_data_location(onnx::TensorProto::EXTERNAL);
      auto *loc = t.add_external_data();
      loc->set_key("location");
      loc->set_value(externalPath.empty() ? file : externalPath);
    }
  }
  std::ofstream os(out, std::ios::binary);
  if (!model.SerializeToOstream(&os)) {
    std::cerr << "onnx-fixture: cannot write " << out << "\n";
    return 1;
  }
  return 0;
}
