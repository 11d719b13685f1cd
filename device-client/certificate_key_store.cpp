#include "device-client/certificate_key_store.h"

#include "device-client/file_writer.h"
#include "gps/crypto/x509.h"

namespace gps::device_client {

Result<LoadedCertificateKey> LoadOrCreateCertificateKey(const std::string& state_dir) {
  GPS_ASSIGN_OR_RETURN(KeptKeyFile file,
                       LoadOrCreateKeptKeyFile(
                           state_dir, kCertificateKeyFile,
                           [](std::string_view content) {
                             return crypto::PrivateKey::FromPem(content).status().WithContext(
                                 "certificate key file");
                           },
                           []() -> Result<std::string> {
                             GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                                                  crypto::PrivateKey::GenerateEcdsaP256());
                             return key.ToPkcs8Pem();
                           }));
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(file.content));
  GPS_ASSIGN_OR_RETURN(std::string csr, crypto::MakeCsrPem(key, ""));
  return LoadedCertificateKey{std::move(key), std::move(csr), file.origin, file.fixed_mode,
                              file.problem};
}

Status RemoveCertificateKey(const std::string& state_dir) {
  return RemoveFileDurably(state_dir, kCertificateKeyFile);
}

}  // namespace gps::device_client
