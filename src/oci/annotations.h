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

// BuildKit's attestation storage (docs/attestations/attestation-storage.md):
// an index entry that is an attestation manifest says so, and names the
// manifest it attests; each statement layer names its predicate type.
inline constexpr char kAnnotationReferenceType[] = "vnd.docker.reference.type";
inline constexpr char kAnnotationReferenceDigest[] = "vnd.docker.reference.digest";
inline constexpr char kReferenceTypeAttestation[] = "attestation-manifest";
inline constexpr char kAnnotationPredicateType[] = "in-toto.io/predicate-type";

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_ANNOTATIONS_H_
