// gps-worker-vault: issues (or signs a CSR for) the device certificate of approved gateways from a
// Vault PKI role, and revokes it. main() only composes; the work is in vault_client and vault_step.

#include "gps/worker/worker_main.h"
#include "workers/vault/vault_client.h"
#include "workers/vault/vault_step.h"

int main(int argc, char** argv) {
  namespace vault = gps::worker::vault;
  return gps::worker::RunWorker<vault::VaultClient, vault::VaultStep>(
      argc, argv, gps::protocol::Step::kVault,
      "Takes vault jobs (gps/v1/jobs/vault): device certificates from a Vault PKI role, issued or "
      "signed from the gateway's CSR, and their revocation.",
      &vault::AddVaultSettings);
}
