/* classify.c: classify Fashion-MNIST test images with a spiking network that
 * snn-mlir's CPU backend compiled to an object file and a C header.
 *
 *   snn-translate --snn-to-object   model.snn.mlir -o snn_model.o
 *   snn-translate --snn-to-c-header model.snn.mlir -o snn_model.h
 *   cc -O2 -std=c11 -I. examples/classify.c snn_model.o -lz -lpthread \
 *      -o classify
 *   ./classify [--data DIR] [--limit N] [--steps T] [--threads N] [--json]
 *
 * Plain C11 with zlib (to read the .gz IDX files) and POSIX threads: each
 * thread runs its own network state over a share of the images. Prints the
 * accuracy, images per second and the spikes of every spiking layer (total
 * over all images, and per neuron per step); --json prints the same as JSON.
 * Exit status: 0 on success, 1 on a data error (or a header and an object of
 * different networks), 2 on a bad command line.
 */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, which strict C11 hides. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "snn_model.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* Reads a gzip-compressed IDX file; returns the payload after the header
 * (dims in `dims`), or NULL with a message on stderr. */
static unsigned char *read_idx(const char *path, int rank, int64_t *dims) {
  gzFile f = gzopen(path, "rb");
  if (!f) {
    fprintf(stderr, "classify: cannot open %s\n", path);
    return NULL;
  }
  unsigned char head[4 + 4 * 3];
  int want = 4 + 4 * rank;
  if (gzread(f, head, want) != want || head[2] != 0x08 || head[3] != rank) {
    fprintf(stderr, "classify: %s is not a rank-%d IDX file of bytes\n", path,
            rank);
    gzclose(f);
    return NULL;
  }
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    const unsigned char *d = head + 4 + 4 * i;
    dims[i] = (int64_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
    total *= dims[i];
    if (dims[i] < 1 || total > (int64_t)1 << 30) {
      fprintf(stderr, "classify: %s: the header claims an array of more "
                      "than 1 GiB (or an empty one)\n", path);
      gzclose(f);
      return NULL;
    }
  }
  unsigned char *data = malloc((size_t)total);
  if (!data || gzread(f, data, (unsigned)total) != (int)total) {
    fprintf(stderr, "classify: %s is truncated\n", path);
    free(data);
    gzclose(f);
    return NULL;
  }
  gzclose(f);
  return data;
}

struct job {
  const unsigned char *images, *labels;
  int64_t begin, end, steps, correct;
  int64_t spikes[SNN_MODEL_NUM_SPIKING_LAYERS + 1];
  int failed;
};

static void *worker(void *arg) {
  struct job *j = arg;
  void *state = snn_model_create();
  float input[SNN_MODEL_INPUT_SIZE];
  int64_t counts[SNN_MODEL_NUM_SPIKING_LAYERS + 1];
  if (!state) {
    j->failed = 1;
    return NULL;
  }
  for (int64_t n = j->begin; n < j->end; ++n) {
    for (int i = 0; i < SNN_MODEL_INPUT_SIZE; ++i)
      input[i] = (float)j->images[n * SNN_MODEL_INPUT_SIZE + i] / 255.0f;
    int cls = snn_model_classify(state, input, j->steps, NULL);
    j->correct += cls == j->labels[n];
    snn_model_layer_spikes(state, counts);
    for (int l = 0; l < SNN_MODEL_NUM_SPIKING_LAYERS; ++l)
      j->spikes[l] += counts[l];
  }
  snn_model_free(state);
  return NULL;
}

static void usage(void) {
  fprintf(stderr,
          "usage: classify [--data DIR] [--limit N] [--steps T] "
          "[--threads N] [--json]\n"
          "  --data DIR   Fashion-MNIST IDX files (default "
          "/usr/share/datasets/fashion-mnist)\n"
          "  --limit N    first N test images (default all 10000)\n"
          "  --steps T    time steps per image (default %d, the model's)\n"
          "  --threads N  threads, one network state each (default 1)\n"
          "  --json       machine-readable output\n",
          SNN_MODEL_TIMESTEPS);
}

int main(int argc, char **argv) {
  const char *dir = "/usr/share/datasets/fashion-mnist";
  int64_t limit = 0, steps = SNN_MODEL_TIMESTEPS, threads = 1;
  int json = 0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    int hasValue = i + 1 < argc;
    if (!strcmp(a, "--data") && hasValue)
      dir = argv[++i];
    else if (!strcmp(a, "--limit") && hasValue)
      limit = atoll(argv[++i]);
    else if (!strcmp(a, "--steps") && hasValue)
      steps = atoll(argv[++i]);
    else if (!strcmp(a, "--threads") && hasValue)
      threads = atoll(argv[++i]);
    else if (!strcmp(a, "--json"))
      json = 1;
    else {
      usage();
      return !strcmp(a, "--help") ? 0 : 2;
    }
  }
  if (steps < 1 || threads < 1 || threads > 256 || limit < 0) {
    usage();
    return 2;
  }
  if (!snn_model_model_matches()) {
    fprintf(stderr,
            "classify: the object was compiled from another network than "
            "snn_model.h (model hash %016llx, header %016llx): generate both "
            "from the same .mlir file\n",
            (unsigned long long)snn_model_model_hash(),
            (unsigned long long)SNN_MODEL_MODEL_HASH);
    return 1;
  }
  if (SNN_MODEL_INPUT_SIZE != 28 * 28) {
    fprintf(stderr, "classify: the model takes %d inputs, not 28x28 images\n",
            SNN_MODEL_INPUT_SIZE);
    return 1;
  }
  char path[4096];
  int64_t imageDims[3], labelDims[1];
  snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir);
  unsigned char *images = read_idx(path, 3, imageDims);
  snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte.gz", dir);
  unsigned char *labels = images ? read_idx(path, 1, labelDims) : NULL;
  if (!images || !labels)
    return 1;
  int64_t n = imageDims[0] < labelDims[0] ? imageDims[0] : labelDims[0];
  if (limit > 0 && limit < n)
    n = limit;

  struct job jobs[256];
  pthread_t tids[256];
  memset(jobs, 0, sizeof jobs);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int64_t t = 0; t < threads; ++t) {
    jobs[t].images = images;
    jobs[t].labels = labels;
    jobs[t].begin = n * t / threads;
    jobs[t].end = n * (t + 1) / threads;
    jobs[t].steps = steps;
    pthread_create(&tids[t], NULL, worker, &jobs[t]);
  }
  int64_t correct = 0, spikes[SNN_MODEL_NUM_SPIKING_LAYERS + 1] = {0};
  for (int64_t t = 0; t < threads; ++t) {
    pthread_join(tids[t], NULL);
    if (jobs[t].failed) {
      fprintf(stderr, "classify: out of memory\n");
      return 1;
    }
    correct += jobs[t].correct;
    for (int l = 0; l < SNN_MODEL_NUM_SPIKING_LAYERS; ++l)
      spikes[l] += jobs[t].spikes[l];
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  double accuracy = n ? 100.0 * (double)correct / (double)n : 0.0;
  if (json) {
    printf("{\n  \"images\": %lld,\n  \"correct\": %lld,\n  \"accuracy\": %.4f,\n"
           "  \"timesteps\": %lld,\n  \"threads\": %lld,\n  \"seconds\": %.4f,\n"
           "  \"images_per_second\": %.2f,\n  \"layers\": [",
           (long long)n, (long long)correct, accuracy, (long long)steps,
           (long long)threads, secs, secs > 0 ? (double)n / secs : 0.0);
    for (int l = 0; l < SNN_MODEL_NUM_SPIKING_LAYERS; ++l)
      printf("%s\n    {\"layer\": \"%s\", \"spikes\": %lld}", l ? "," : "",
             snn_model_layer_name(l), (long long)spikes[l]);
    printf("\n  ]\n}\n");
  } else {
    printf("accuracy %.2f %% (%lld/%lld) at T = %lld, %.1f images/s on %lld "
           "thread(s)\n",
           accuracy, (long long)correct, (long long)n, (long long)steps,
           secs > 0 ? (double)n / secs : 0.0, (long long)threads);
    for (int l = 0; l < SNN_MODEL_NUM_SPIKING_LAYERS; ++l)
      printf("  %-40s %12lld spikes  %.4f spikes/neuron/step\n",
             snn_model_layer_name(l), (long long)spikes[l],
             (double)spikes[l] /
                 ((double)n * (double)steps * (double)snn_model_layer_neurons(l)));
  }
  free(images);
  free(labels);
  return 0;
}
