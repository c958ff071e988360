#pragma once
#include <filesystem>
#include <string>

namespace bounceback::safety {

// How a fastText classifier is trained here (the safety screen's and the free-text
// reader's): one thread and a fixed seed, so the same lines always give the same model,
// byte for byte.
struct TrainSettings {
  int dim = 50;
  int epoch = 25;
  double learning_rate = 0.5;
  int word_ngrams = 2;
  int min_char_ngram = 3;
  int max_char_ngram = 5;
  int bucket = 200000;
  int seed = 7;
  bool quantize = true;   // a small .ftz
  int quantize_rows = 50000;  // the most telling rows of n-grams kept when quantizing
};

// A temporary folder removed when it goes out of scope.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Trains a supervised softmax model from `input` (fastText's "__label__X words" lines,
// already shuffled) and writes it to `model_path`. Throws std::runtime_error, its message
// beginning with `what` ("training the safety model failed: ...").
void train_fasttext(const std::string& input, const std::string& model_path, const TrainSettings& settings,
                    const std::string& what);

}  // namespace bounceback::safety
