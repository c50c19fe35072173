#include "attest/trust_anchors.h"

namespace clemmys::attest {
namespace {

// Trust anchors are compiled in, never loaded from files an attacker could swap.
// Each is the SubjectPublicKeyInfo (DER, hex) of the root certificate; chains are
// accepted only when their self-signed root carries exactly this key.

// Intel SGX Root CA (serial 22650CD6..., SHA-256 of DER 44a0196b...74d3): P-256.
constexpr const char* kIntelSgxRootSpki =
    "3059301306072a8648ce3d020106082a8648ce3d030107034200040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a3"
    "6e705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394";

// ARK-Milan (RSA-4096; SHA-256 of certificate DER begins 69d063b45344d26a).
constexpr const char* kArkMilanSpki =
    "30820222300d06092a864886f70d01010105000382020f003082020a0282020100d0b779d9124e75e88996a2b625db15983ec592dba8"
    "b56c17d5f3605b8d5763d5f3d471214949a12f3f42bbd0c7465be02523716de618b2725fbf28f1d4c7d4d15e6d90a894d447ac345b5a"
    "d644c0d2cccd8ac75873d8acaa4ee65d3e7e29f1916df73857ff73448704f2394737ad52d63bbc5fddfee9dc4352b1b64b3c6a278061"
    "ab2626503aee3d72525f8bd4734d4fee3f7c329a8e4bde6b3917461de239d8d6b3e66d81f8efaf8ec0b4eb4777ee363d2c57ae38fe0c"
    "7ab8bcaa07e2d92e642aa83f685e9a3edb80650551eeedca1585cfe7d5e6260b5ca20d398262344ff3a2b4b86ecd5be965c2e9874a1d"
    "87fd483d7ab1dfe3278c3f7b03b7d7a6a19dff2f0ac57ee392c4c4cc03a06ca01e6a6de59bedf228871360c96c44c5cf72335b22f9ac"
    "072903fffc529e2bacb870648279443445b1d5471b410aecfa054392e54f86c9f321136062f338f18fbb2c6889627ae613cc5cadec5e"
    "901c6bbdad95f53250aa7377439de4b79be2422dfe8027e69300b4174b62ac865b2e45cfacfc3367433d78dc6123249bda7a497e09ea"
    "cf9e48d2edf7c21e2bd1935079319fc34dcc054b72bb319eb0691cc3e968a8c6aad6a478b6319b3d8c42be90aaefe3a0a420a830d8ad"
    "dae2e8f4cd7c7c7cf5d2538c4fc9d6014bd1645ced7970a6fbb3c77583e5990c14c372ef7a727f20b5e840f1df6e41f40b23df865d63"
    "5a124565ab0203010001";

// ARK-Genoa (RSA-4096; SHA-256 of certificate DER begins 4c6598d19c18719c).
constexpr const char* kArkGenoaSpki =
    "30820222300d06092a864886f70d01010105000382020f003082020a0282020100dc277de52fee14eb9122c916f6fcfd543045ebd343"
    "405efda1184bfcbd8f5501a12b761d7c4060a45fc98b058506c4ff7d70e1cc0d35a772e4713ffb2dd8dc45f2978c797ed10abf338759"
    "921e900e851e2b33412c37012830c65a8defdf9372af16c0d439e463050a5390009383fde2d2972e9f34a31b7ce1a8721e82e673f2ea"
    "b06b29fa8ab5073e0f3ec60bc131b888c29569a4fdd3fa19e08f2889b4abbbddaf26196a58edbb77f47173789433284d7864e83af831"
    "fe2528e201a91bad4d0e990452f233b8a71a331f08753a568360c5e92c05d0881531f7e7bed26603af01c09356a351383cb25d68f7c1"
    "89f709a6e045c0d55020f404557dda3fcf47252a7c61b63d972492e8f95512a4c106d6909a2e004c698c47e9f62bf7be240854d868fb"
    "8c8a4984e91d1fd7e2ad00e79a50364857c9fc27349863735bd466221c8e527345a1c966911865dff01053962cf50b1a9f58d3fc48b2"
    "4fea42a669c0fb2f5e76f84309b386f05da8c47191753064ca5ba782b917246622c06ad1f246a2aafecd37c42138132a62371bae412b"
    "d1ff1030a925212e6bb8e7ea94b302070f092c1dcb923a5682d0fb3a9c64cd2b2884de3b5289bce9163a969ef683c7971cfd6a62b9ef"
    "873686d52ef4bf0e8e91b69a0bd123887fee1e0009406c689fbbb443bc60a1111603f7bb25c050c0b83cd07abfb1b46ea9eb31cfbc01"
    "592636e7870203010001";

// ARK-Turin (RSA-4096; SHA-256 of certificate DER begins 1f084161a44bb6d9).
constexpr const char* kArkTurinSpki =
    "30820222300d06092a864886f70d01010105000382020f003082020a0282020100c1a02b881ec422e55ce19075c03dd87c3c4bfbd7b2"
    "4bbfa2ce6d098f75bbef63483425a5f018f7c3f243d998e66d1c56748abfe1df626ab08aa2b5e5a09501d6345d831a9c713c7568ea22"
    "838fb6c355e1555253ecae39ef04f964b3498106b1a9af44b64c2377afbdb0e86508313d978de443447606291525afeecb254e4b0124"
    "e70e6d5ca3ae1bd8efaba42d00c25ab16dfcc25a910da2841ad67d554806a27dbb66e2f8b1326e0bf6b3cfdfe2401c3c9048a5cce97d"
    "e4089391e6398d21010d66c0aa7664e6a94cee4212286db4920426d789a134a0c8da9da8b9afb3b801bb8b9d9ea68445d867d4d13624"
    "ff27febc2341dad9de721150b8fd9ef1b2e4f7965da8f8bdfd45b0e095e3b5d100e2ed896299524943d05405cab7a2d5aae8ed25c339"
    "f492abdaed1743be4ac3170ca75e604978417c89ef3c0c2e018e1d130c06a93f28220e1eb0f1f012c98286161e0c8c4f1bd4787f1f4e"
    "d2aea9f066fe1d7953892e3b3fd60d78ea6274e50acc397f4b53afca10ed48bf0b25cdb84004c5c9da3f883fca51dbc54d1943d1cae4"
    "00c9192e8590f212c319ce816495ec75ded97f67b8516ded23fd6887fdaddb73addf3ca14dcbf98036c006ed0b8d57bdf2e4674b5e52"
    "3302bffe526df5ee41a8abe0001912a0005ff81e1516d3d5117d3282b61a15a23d8b9001af19d5066cd7a516f6d622353653427ce194"
    "3c8855a5610203010001";

crypto::Bytes decodeHex(const char* hex) {
  crypto::Bytes out;
  for (size_t i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out.push_back(static_cast<uint8_t>(nib(hex[i]) << 4 | nib(hex[i + 1])));
  }
  return out;
}

}  // namespace

crypto::Bytes intelSgxRootSpki() { return decodeHex(kIntelSgxRootSpki); }

std::optional<crypto::Bytes> amdArkSpki(SnpProduct product) {
  switch (product) {
    case SnpProduct::kMilan:
      return decodeHex(kArkMilanSpki);
    case SnpProduct::kGenoa:
      return decodeHex(kArkGenoaSpki);
    case SnpProduct::kTurin:
      return decodeHex(kArkTurinSpki);
  }
  return std::nullopt;
}

const char* snpProductName(SnpProduct product) {
  switch (product) {
    case SnpProduct::kMilan:
      return "Milan";
    case SnpProduct::kGenoa:
      return "Genoa";
    case SnpProduct::kTurin:
      return "Turin";
  }
  return "unknown";
}

}  // namespace clemmys::attest
