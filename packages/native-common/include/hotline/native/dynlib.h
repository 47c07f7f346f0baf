// Run-time loading of a vendor library: dlopen over a documented list of candidates, with every
// failure (and the OS's reason, from dlerror) kept so the caller can say what was searched and
// what to install; then a symbol table resolved by name, where a missing optional symbol is a
// capability the library lacks and a missing required symbol is a load failure.
//
// Pattern after ODPI-C dpiOci.c (dlopen + one table of function pointers resolved by name) and
// SynCTI's own ShAPI.cpp (one dlsym per export). Header-only: include it from any Hotline addon.
#pragma once

#include <dlfcn.h>

#include <string>
#include <utility>
#include <vector>

namespace hotline {
namespace native {

/** One dlopen attempt and, when it failed, the OS's reason (dlerror). */
struct LoadAttempt {
  std::string candidate;
  std::string error;  // empty when this candidate was the one loaded
};

/** A dlopen()ed shared library. Closing is explicit; the destructor also closes. */
class DynLib {
 public:
  DynLib() = default;
  DynLib(const DynLib&) = delete;
  DynLib& operator=(const DynLib&) = delete;
  ~DynLib() { Close(); }

  /**
   * Tries each candidate in order (a bare name goes through the dynamic linker's own search:
   * LD_LIBRARY_PATH, ld.so.cache, /lib, /usr/lib; a name with a slash is a path). The first one
   * that loads wins. Every attempt is recorded in Attempts(). Returns true when one loaded.
   */
  bool Open(const std::vector<std::string>& candidates, int flags = RTLD_NOW | RTLD_LOCAL) {
    Close();
    attempts_.clear();
    for (const std::string& candidate : candidates) {
      dlerror();  // clear a stale message
      void* handle = dlopen(candidate.c_str(), flags);
      if (handle != nullptr) {
        handle_ = handle;
        path_ = candidate;
        attempts_.push_back({candidate, std::string()});
        return true;
      }
      const char* why = dlerror();
      attempts_.push_back({candidate, why != nullptr ? std::string(why) : std::string("unknown dlopen error")});
    }
    return false;
  }

  void Close() {
    if (handle_ != nullptr) {
      dlclose(handle_);
      handle_ = nullptr;
    }
    path_.clear();
  }

  bool IsOpen() const { return handle_ != nullptr; }
  const std::string& Path() const { return path_; }
  const std::vector<LoadAttempt>& Attempts() const { return attempts_; }

  /** The address of an exported symbol, or nullptr. */
  void* Find(const char* name) const {
    if (handle_ == nullptr) return nullptr;
    dlerror();
    return dlsym(handle_, name);
  }

 private:
  void* handle_ = nullptr;
  std::string path_;
  std::vector<LoadAttempt> attempts_;
};

/** One entry of a symbol table: the exported name, where to store its address, and whether the
 * library is unusable without it. */
struct SymbolSpec {
  const char* name;
  void** slot;
  bool required;
};

/** What resolving a symbol table found missing. */
struct ResolveResult {
  std::vector<std::string> missingRequired;
  std::vector<std::string> missingOptional;
  bool ok() const { return missingRequired.empty(); }
};

/** Fills every slot of the table (nullptr when absent) and reports what was missing. */
inline ResolveResult ResolveSymbols(const DynLib& lib, const SymbolSpec* specs, size_t count) {
  ResolveResult result;
  for (size_t i = 0; i < count; i++) {
    void* address = lib.Find(specs[i].name);
    *specs[i].slot = address;
    if (address == nullptr) {
      (specs[i].required ? result.missingRequired : result.missingOptional).emplace_back(specs[i].name);
    }
  }
  return result;
}

}  // namespace native
}  // namespace hotline

/** Declares a table entry for the function pointer member `table.fn`, resolved by the name `fn`. */
#define HOTLINE_SYMBOL(table, fn, required) \
  ::hotline::native::SymbolSpec { #fn, reinterpret_cast<void**>(&(table).fn), (required) }
