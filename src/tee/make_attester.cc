// makeAttester (attester.h): backend selection by name.
#include <cstdlib>

#include "tee/attester.h"
#include "tee/simtee_client.h"

namespace clemmys::tee {

Result<std::unique_ptr<Attester>> makeAttester(const AttesterConfig& config) {
  if (config.backend == "sim") {
    std::string socket = config.simteeSocket;
    if (socket.empty()) {
      // Set by the simtee in every process it launches. Not trusted for
      // anything but finding the socket: a wrong one cannot sign for the
      // installation's sim root.
      const char* env = std::getenv("CLEMMYS_SIMTEE_SOCKET");
      if (env == nullptr || *env == '\0') return fail("tee.unknown_backend", "sim backend needs a simtee socket path");
      socket = env;
    }
    return std::make_unique<SimAttester>(socket);
  }
  std::optional<CollateralCache> cache;
  if (!config.collateralDir.empty()) cache.emplace(config.collateralDir);
  if (config.backend == "sgx") return std::make_unique<GramineAttester>(config.gramineRoot, std::move(cache));
  if (config.backend == "tdx" || config.backend == "snp") {
    return std::make_unique<ConfigfsTsmAttester>(config.tsmRoot, config.backend, ConfigfsTsmAttester::EntryNamer{},
                                                 std::move(cache));
  }
  return fail("tee.unknown_backend", "unknown TEE backend \"" + config.backend + "\" (sim, sgx, tdx, snp)");
}

}  // namespace clemmys::tee
