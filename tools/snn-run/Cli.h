//===- Cli.h - snn-run's checks of numeric options --------------*- C++ -*-===//
//
// CLI11's PositiveNumber and Range print their bounds as doubles ("not in
// range 0.000000 to 1797693134862315708145274237317043567980..."); these
// say what is allowed in words, and every count has a lower bound, so that
// a negative number is refused instead of meaning "the default".
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_TOOLS_SNN_RUN_CLI_H
#define SNN_MLIR_TOOLS_SNN_RUN_CLI_H

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace snnrun::cli {

/// Whole numbers from `min` to `max`; `what` (e.g. "0: all") is added to
/// the message.
inline CLI::Validator integer(int64_t min, int64_t max = INT64_MAX,
                              const std::string &what = "") {
  std::string range =
      max == INT64_MAX
          ? (min == 0 ? std::string("0 or more")
                      : "at least " + std::to_string(min))
          : "from " + std::to_string(min) + " to " + std::to_string(max);
  std::string note = what.empty() ? "" : " (" + what + ")";
  return CLI::Validator(
      [=](std::string &input) -> std::string {
        errno = 0;
        char *end = nullptr;
        long long v = std::strtoll(input.c_str(), &end, 10);
        if (input.empty() || *end != '\0' || errno == ERANGE || v < min ||
            v > max)
          return "must be a whole number " + range + note + ", got '" + input +
                 "'";
        return std::string();
      },
      "INT " + range, "integer");
}

/// Finite real numbers above `min` (or from `min` when `inclusive`) and up
/// to `max`.
inline CLI::Validator real(double min, bool inclusive = false,
                           double max = HUGE_VAL) {
  auto text = [](double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.')
      s.pop_back();
    return s;
  };
  std::string range = (inclusive ? "at least " : "above ") + text(min) +
                      (std::isinf(max) ? "" : " and at most " + text(max));
  return CLI::Validator(
      [=](std::string &input) -> std::string {
        errno = 0;
        char *end = nullptr;
        double v = std::strtod(input.c_str(), &end);
        bool ok = !input.empty() && *end == '\0' && std::isfinite(v) &&
                  (inclusive ? v >= min : v > min) && v <= max;
        return ok ? std::string()
                  : "must be a finite number " + range + ", got '" + input +
                        "'";
      },
      "REAL " + range, "real");
}

} // namespace snnrun::cli

#endif // SNN_MLIR_TOOLS_SNN_RUN_CLI_H
