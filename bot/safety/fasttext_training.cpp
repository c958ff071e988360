#include "bot/safety/fasttext_training.hpp"

#include <fasttext/fasttext.h>

#include <stdexcept>

namespace bounceback::safety {

TempFolder::TempFolder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "bounceback-train-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make a temporary folder for training");
  path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void train_fasttext(const std::string& input, const std::string& model_path, const TrainSettings& s,
                    const std::string& what) {
  TempFolder tmp;
  fasttext::Args args;
  args.input = input;
  args.output = (tmp.path() / "model").string();
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.dim = s.dim;
  args.epoch = s.epoch;
  args.lr = s.learning_rate;
  args.wordNgrams = s.word_ngrams;
  args.minn = s.min_char_ngram;
  args.maxn = s.max_char_ngram;
  args.bucket = s.bucket;
  args.minCount = 1;
  args.thread = 1;
  args.seed = s.seed;
  args.verbose = 0;
  fasttext::FastText model;
  try {
    model.train(args);
    if (s.quantize) {
      fasttext::Args q = args;
      q.qnorm = true;
      q.retrain = false;
      q.cutoff = static_cast<std::size_t>(s.quantize_rows);
      q.dsub = 2;
      model.quantize(q);
    }
    model.saveModel(model_path);
  } catch (const std::exception& e) {
    throw std::runtime_error(what + " failed: " + e.what());
  }
}

}  // namespace bounceback::safety
