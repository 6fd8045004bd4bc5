// Annotation keys imagewriter reads or writes, spelled once.
//
// kAnnotationRefName is the OCI image-layout key that names an index.json
// entry (a tag, or a full reference); kAnnotationContainerdName is the full
// reference containerd and `docker save` put next to it.
#ifndef IMAGEWRITER_OCI_ANNOTATIONS_H_
#define IMAGEWRITER_OCI_ANNOTATIONS_H_

namespace imagewriter {

inline constexpr char kAnnotationRefName[] = "org.opencontainers.image.ref.name";
inline constexpr char kAnnotationContainerdName[] = "io.containerd.image.name";

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_ANNOTATIONS_H_
