#include "invoker/invoker.h"

namespace clemmys::invoker {

const char* statusName(RunStatus s) {
  switch (s) {
    case RunStatus::success: return "success";
    case RunStatus::applicationError: return "application error";
    case RunStatus::developerError: return "action developer error";
    case RunStatus::internalError: return "whisk internal error";
  }
  return "whisk internal error";
}

}  // namespace clemmys::invoker
