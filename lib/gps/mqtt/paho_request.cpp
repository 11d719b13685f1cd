#include "gps/mqtt/paho_request.h"

namespace gps::mqtt::paho {

void Completion::Finish(bool succeeded, int paho_code, int reason, std::vector<int> reasons,
                        const char* text) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    ok = succeeded;
    code = paho_code;
    reason_code = reason;
    reason_codes = std::move(reasons);
    message = text ? text : "";
  }
  cv.notify_all();
}

bool Completion::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex);
  return cv.wait_for(lock, timeout, [&] { return done; });
}

std::string Completion::Describe() const {
  std::string text = message.empty() ? MQTTAsync_strerror(code) : message;
  text += " (code " + std::to_string(code);
  if (reason_code != 0) {
    text += ", reason code " + std::to_string(reason_code);
  }
  return text + ")";
}

void OnSuccess(void* context, MQTTAsync_successData5* response) {
  std::unique_ptr<SharedCompletion> c(static_cast<SharedCompletion*>(context));
  (*c)->Finish(true, MQTTASYNC_SUCCESS, response ? static_cast<int>(response->reasonCode) : 0, {},
               nullptr);
}

void OnSubscribed(void* context, MQTTAsync_successData5* response) {
  std::unique_ptr<SharedCompletion> c(static_cast<SharedCompletion*>(context));
  std::vector<int> reasons;
  // Several filters: one reason code each in alt.sub. One filter: only reasonCode, and the union
  // holds something else.
  if (response && (*c)->filters > 1 && response->alt.sub.reasonCodes) {
    for (int i = 0; i < response->alt.sub.reasonCodeCount; ++i) {
      reasons.push_back(static_cast<int>(response->alt.sub.reasonCodes[i]));
    }
  }
  (*c)->Finish(true, MQTTASYNC_SUCCESS, response ? static_cast<int>(response->reasonCode) : 0,
               std::move(reasons), nullptr);
}

void OnFailure(void* context, MQTTAsync_failureData5* response) {
  std::unique_ptr<SharedCompletion> c(static_cast<SharedCompletion*>(context));
  (*c)->Finish(false, response ? response->code : MQTTASYNC_FAILURE,
               response ? static_cast<int>(response->reasonCode) : 0, {},
               response ? response->message : nullptr);
}

MQTTAsync_responseOptions Request::Options() {
  MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
  o.onSuccess5 = OnSuccess;
  o.onFailure5 = OnFailure;
  o.context = context.get();
  return o;
}

std::string PropertyText(MQTTProperties* props, MQTTPropertyCodes code) {
  MQTTProperty* p = MQTTProperties_getProperty(props, code);
  if (p == nullptr || p->value.data.data == nullptr) {
    return {};
  }
  return std::string(p->value.data.data, static_cast<std::size_t>(p->value.data.len));
}

void AddText(MQTTProperties* props, MQTTPropertyCodes code, const std::string& value) {
  MQTTProperty p{};
  p.identifier = code;
  p.value.data.data = const_cast<char*>(value.data());  // Paho copies it
  p.value.data.len = static_cast<int>(value.size());
  MQTTProperties_add(props, &p);
}

void AddInteger(MQTTProperties* props, MQTTPropertyCodes code, int value) {
  MQTTProperty p{};
  p.identifier = code;
  p.value.integer4 = static_cast<unsigned int>(value);
  MQTTProperties_add(props, &p);
}

}  // namespace gps::mqtt::paho
