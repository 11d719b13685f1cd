#pragma once
// Inside gps/mqtt only: the answer to one Paho C request (connect, subscribe, publish,
// disconnect), waited for with a deadline, and the MQTT 5 properties the client reads and sets.

#include <MQTTAsync.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gps::mqtt::paho {

// Filled once by a Paho thread, read by the waiting caller.
struct Completion {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  bool ok = false;
  int code = 0;                   // Paho's own result code on failure (MQTTASYNC_*)
  int reason_code = 0;            // the broker's MQTT 5 reason code, when it sent one
  std::vector<int> reason_codes;  // SUBACK: one per filter
  int filters = 0;                // SUBSCRIBE: how many filters it carried
  std::string message;

  void Finish(bool succeeded, int paho_code, int reason, std::vector<int> reasons,
              const char* text);
  bool WaitFor(std::chrono::milliseconds timeout);
  // "<Paho's text> (code C, reason code R)" for error messages.
  std::string Describe() const;
};

// A request's context outlives a caller that stopped waiting: Paho owns one reference until it
// answers (or forever, if the client is freed before it does: a few bytes, never a dangling
// pointer).
using SharedCompletion = std::shared_ptr<Completion>;

// Paho callbacks whose context is a heap SharedCompletion*, which they delete.
void OnSuccess(void* context, MQTTAsync_successData5* response);
void OnFailure(void* context, MQTTAsync_failureData5* response);
// OnSuccess for a SUBSCRIBE: keeps the SUBACK's reason code per filter.
void OnSubscribed(void* context, MQTTAsync_successData5* response);

// Response options whose callbacks complete `completion`; Release() hands the reference to Paho
// once it accepted the request.
struct Request {
  SharedCompletion completion = std::make_shared<Completion>();
  std::unique_ptr<SharedCompletion> context = std::make_unique<SharedCompletion>(completion);

  MQTTAsync_responseOptions Options();
  void Release() { static_cast<void>(context.release()); }
};

// A text or binary property's value; empty when absent.
std::string PropertyText(MQTTProperties* props, MQTTPropertyCodes code);
void AddText(MQTTProperties* props, MQTTPropertyCodes code, const std::string& value);
void AddInteger(MQTTProperties* props, MQTTPropertyCodes code, int value);

// Frees a properties list however the function holding it returns.
struct OwnedProperties {
  MQTTProperties props = MQTTProperties_initializer;
  OwnedProperties() = default;
  OwnedProperties(const OwnedProperties&) = delete;
  OwnedProperties& operator=(const OwnedProperties&) = delete;
  ~OwnedProperties() { MQTTProperties_free(&props); }
};

}  // namespace gps::mqtt::paho
