// Internal: runs an OpenSSL PEM_write_bio_* call into a memory BIO and returns the
// text ("" when writing failed). Shared by the key and certificate writers.
#pragma once

#include <openssl/bio.h>

#include <string>

namespace clemmys::crypto::detail {

template <class Write>
std::string pemText(Write&& write) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio != nullptr && write(bio) == 1) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<size_t>(len));
  }
  BIO_free(bio);
  return out;
}

}  // namespace clemmys::crypto::detail
